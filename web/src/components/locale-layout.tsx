import { Link, Outlet, useParams, useRouterState } from "@tanstack/react-router";
import { useEffect } from "react";
import { I18nProvider, useI18n } from "../lib/i18n";
import { DEFAULT_LOCALE, isLocale, type Locale } from "../lib/locales";

export function useLocale(): Locale {
  const { locale } = useParams({ strict: false }) as { locale?: string };
  return isLocale(locale) ? locale : DEFAULT_LOCALE;
}

/** Everything under `/{locale}/`: strings, dates and the page's `lang` follow the URL. */
export function LocaleLayout() {
  const locale = useLocale();
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  return (
    <I18nProvider locale={locale}>
      <Outlet />
    </I18nProvider>
  );
}

function NotFoundBody() {
  const { t, locale } = useI18n();
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col items-center justify-center gap-4 p-6 text-center">
      <h1 className="text-2xl font-semibold">{t("notFound.title")}</h1>
      <p className="text-muted-foreground">{t("notFound.body")}</p>
      <Link to="/$locale/dashboard" params={{ locale }} className="text-primary underline">
        {t("notFound.home")}
      </Link>
    </main>
  );
}

export function NotFound() {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const first = pathname.split("/")[1];
  return (
    <I18nProvider locale={isLocale(first) ? first : DEFAULT_LOCALE}>
      <NotFoundBody />
    </I18nProvider>
  );
}
