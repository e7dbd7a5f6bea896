import { useNavigate, useRouterState } from "@tanstack/react-router";
import { Monitor, Moon, Sun } from "lucide-react";
import { useI18n } from "../lib/i18n";
import { LOCALES, switchLocalePath, type Locale } from "../lib/locales";
import { useTheme, type Theme } from "../lib/theme";
import { Button } from "./ui/button";

const NEXT: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };
export const LOCALE_NAMES: Record<Locale, string> = { "en-US": "English", "zh-CN": "简体中文" };

/** Language and theme: in the top bar of every screen, signed in or not. */
export function PreferencesBar({ onLocaleChange }: { onLocaleChange?: (locale: Locale) => void }) {
  const { t, locale } = useI18n();
  const [theme, setTheme] = useTheme();
  const navigate = useNavigate();
  const href = useRouterState({ select: (s) => s.location.href });
  const Icon = theme === "dark" ? Moon : theme === "light" ? Sun : Monitor;
  return (
    <div className="flex items-center gap-1">
      <label className="sr-only" htmlFor="locale-switch">
        {t("prefs.language")}
      </label>
      <select
        id="locale-switch"
        value={locale}
        className="h-9 rounded-md border bg-background px-2 text-sm"
        onChange={(event) => {
          const next = event.target.value as Locale;
          onLocaleChange?.(next);
          void navigate({ href: switchLocalePath(href, next) });
        }}
      >
        {LOCALES.map((code) => (
          <option key={code} value={code}>
            {LOCALE_NAMES[code]}
          </option>
        ))}
      </select>
      <Button
        variant="ghost"
        size="icon"
        aria-label={t("prefs.theme", { theme: t(`prefs.theme.${theme}`) })}
        title={t("prefs.theme", { theme: t(`prefs.theme.${theme}`) })}
        onClick={() => setTheme(NEXT[theme])}
      >
        <Icon aria-hidden="true" />
      </Button>
    </div>
  );
}
