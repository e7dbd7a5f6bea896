import type { ReactNode } from "react";
import { Card, CardDescription, CardTitle } from "../../components/ui/card";

export function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  return (
    <Card id={id} aria-labelledby={`${id}-title`} role="region" className="scroll-mt-20">
      <CardTitle id={`${id}-title`}>{title}</CardTitle>
      {description ? <CardDescription className="mt-1">{description}</CardDescription> : null}
      <div className="mt-4">{children}</div>
    </Card>
  );
}

/** `{data, error}` from Better Auth as a thrown error with the server's message. */
export async function authCall<T>(call: Promise<{ data: T | null; error: { message?: string; status: number } | null }>, fallback: string): Promise<T | null> {
  const { data, error } = await call;
  if (error) throw new Error(error.message || fallback);
  return data;
}
