import { createAuthClient } from "better-auth/react";

/**
 * The one Better Auth client of the app. Plugins (passkeys, API keys, two-factor…) are added
 * here, in `plugins`, so every screen gets their methods from the same object.
 */
export const authClient = createAuthClient({
  baseURL: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  plugins: [],
});

export type AuthSession = NonNullable<Awaited<ReturnType<typeof authClient.getSession>>["data"]>;

/** Better Auth answers `{ data, error }`; errors carry the server's message and code. */
export type AuthResult<T> = { data: T | null; error: { message?: string; code?: string; status: number } | null };
