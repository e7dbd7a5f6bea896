import { Link, Outlet } from "@tanstack/react-router";
import { useI18n } from "../lib/i18n";
import { PreferencesBar } from "./preferences-bar";

export function AuthLayout() {
  const { t, locale } = useI18n();
  return (
    <div className="flex min-h-screen flex-col">
      <header className="flex items-center justify-between gap-2 p-4">
        <Link to="/$locale/sign-in" params={{ locale }} className="flex items-center gap-2 font-semibold">
          <img src="/favicon.svg" alt="" className="size-7" />
          Raypx
        </Link>
        <PreferencesBar />
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pt-6 pb-12 sm:pt-16">
        <div className="w-full max-w-sm">
          <Outlet />
        </div>
      </main>
      <footer className="p-4 text-center text-xs text-muted-foreground">{t("app.tagline")}</footer>
    </div>
  );
}
