/** A failed call, carrying the server's own message (never a stack or an object dump). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The message of a server error body `{message, code}` or FastAPI's `{detail}`. */
export function messageOf(body: unknown, fallback: string): string {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    if (typeof record.message === "string" && record.message) return record.message;
    if (typeof record.detail === "string" && record.detail) return record.detail;
  }
  return fallback;
}

export function codeOf(body: unknown): string | undefined {
  if (body && typeof body === "object") {
    const code = (body as Record<string, unknown>).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Text to show for any thrown value; `fallback` is already translated. */
export function errorText(error: unknown, fallback: string): string {
  if (error instanceof ApiError) return error.message || fallback;
  if (error instanceof TypeError) return fallback; // network failure: the browser's text is noise
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}
