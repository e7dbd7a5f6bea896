import { createAuthClient } from "better-auth/react";
import { emailOTPClient, magicLinkClient, twoFactorClient } from "better-auth/client/plugins";

/**
 * Where a password sign-in that needs a second factor goes. The sign-in page sets it (it
 * knows the locale and where to come back to); the default is a plain page load.
 */
export const twoFactorStep = {
  go: (methods: string[]): void => {
    const locale = window.location.pathname.split("/")[1] || "en-US";
    window.location.assign(`/${locale}/two-factor?methods=${encodeURIComponent(methods.join(","))}`);
  },
};

/**
 * The one Better Auth client of the app. Plugins are added here, in `plugins`, so every
 * screen gets their methods from the same object.
 */
export const authClient = createAuthClient({
  baseURL: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  plugins: [
    emailOTPClient(),
    magicLinkClient(),
    twoFactorClient({ onTwoFactorRedirect: ({ twoFactorMethods }) => twoFactorStep.go(twoFactorMethods ?? ["otp"]) }),
  ],
});

export type AuthSession = NonNullable<Awaited<ReturnType<typeof authClient.getSession>>["data"]>;

/** Better Auth answers `{ data, error }`; errors carry the server's message and code. */
export type AuthResult<T> = { data: T | null; error: { message?: string; code?: string; status: number } | null };
