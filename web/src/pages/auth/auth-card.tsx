import type { ReactNode } from "react";
import { Card, CardDescription } from "../../components/ui/card";

export function AuthCard({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <Card>
      <h1 className="text-xl font-semibold">{title}</h1>
      {description ? <CardDescription className="mt-1">{description}</CardDescription> : null}
      <div className="mt-6 flex flex-col gap-4">{children}</div>
    </Card>
  );
}

/** Better Auth's `{error}` as an Error, so forms show the server's message. */
export function authFailure(error: { message?: string; code?: string; status: number } | null, fallback: string): Error {
  const failure = new Error(error?.message || fallback) as Error & { code?: string };
  failure.code = error?.code;
  return failure;
}
