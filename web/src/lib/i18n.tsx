import { createContext, useContext, useMemo, type ReactNode } from "react";
import { en } from "../locales/en-US";
import { zh } from "../locales/zh-CN";
import { formatBytes, formatCalendarDate, formatDate, formatDay, formatMoney, formatNumber } from "./format";
import type { Locale } from "./locales";

export type MessageKey = keyof typeof en;
/** Every locale has every key: a missing one is a type error (and fails a unit test). */
export type Messages = { readonly [K in MessageKey]: string };

export const catalogs: Record<Locale, Messages> = { "en-US": en, "zh-CN": zh };

export function translate(
  locale: Locale,
  key: MessageKey,
  values?: Record<string, string | number>,
): string {
  const template = catalogs[locale][key] ?? key; // a server value with no label yet shows as is
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

export type I18n = {
  locale: Locale;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
  number: (value: number) => string;
  money: (value: number | string) => string;
  date: (value: string | Date) => string;
  day: (value: string | Date) => string;
  calendarDate: (value: string | Date) => string;
  bytes: (value: number) => string;
};

const I18nContext = createContext<I18n | null>(null);

export function makeI18n(locale: Locale): I18n {
  return {
    locale,
    t: (key, values) => translate(locale, key, values),
    number: (value) => formatNumber(locale, value),
    money: (value) => formatMoney(locale, value),
    date: (value) => formatDate(locale, value),
    day: (value) => formatDay(locale, value),
    calendarDate: (value) => formatCalendarDate(locale, value),
    bytes: (value) => formatBytes(locale, value),
  };
}

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const value = useMemo(() => makeI18n(locale), [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
