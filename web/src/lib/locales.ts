export const LOCALES = ["en-US", "zh-CN"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en-US";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** The first supported locale among tags like `zh`, `zh-Hans-CN`, `en-GB` (browser order). */
export function matchLocale(tags: readonly string[]): Locale | null {
  for (const tag of tags) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en-US";
  }
  return null;
}

/** `/zh-CN/documents?x` -> `/en-US/documents?x`: the same view in another language. */
export function switchLocalePath(path: string, locale: Locale): string {
  const parts = path.split("/");
  if (isLocale(parts[1])) parts[1] = locale;
  else parts.splice(1, 0, locale);
  return parts.join("/") || `/${locale}`;
}
