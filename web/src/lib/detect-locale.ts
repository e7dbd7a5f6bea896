import type { QueryClient } from "@tanstack/react-query";
import { DEFAULT_LOCALE, isLocale, matchLocale, type Locale } from "./locales";
import { meQuery, sessionQuery } from "./session";

/** For a URL without a locale: the profile's preferred locale, then the browser's languages. */
export async function preferredLocale(queryClient: QueryClient): Promise<Locale> {
  try {
    const session = await queryClient.ensureQueryData(sessionQuery);
    if (session) {
      const me = await queryClient.ensureQueryData(meQuery);
      if (isLocale(me.profile.preferred_locale)) return me.profile.preferred_locale;
    }
  } catch {
    // offline or server error: the browser's language still gives a sensible page
  }
  return matchLocale(navigator.languages ?? [navigator.language]) ?? DEFAULT_LOCALE;
}
