import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "../api/schema";
import { ApiError, codeOf, messageOf } from "./errors";

/** The client generated from /api/openapi.json: paths, bodies and answers are all typed. */
export const api = createClient<paths>({
  baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  credentials: "same-origin",
});

let onUnauthorized: () => void = () => {};

/** Called when the session is gone mid-use (expired, revoked): the shell sends to sign-in. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

const expiry: Middleware = {
  onResponse({ response }) {
    if (response.status === 401) onUnauthorized();
    return undefined;
  },
};
api.use(expiry);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Awaits a generated-client call; a non-2xx answer becomes an ApiError with its message. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    throw new ApiError(messageOf(error, response.statusText), response.status, codeOf(error));
  }
  return data as T;
}
