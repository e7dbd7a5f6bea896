import { useEffect, useState } from "react";

export type Theme = "system" | "light" | "dark";
const KEY = "raypx.theme";
const media = () => window.matchMedia("(prefers-color-scheme: dark)");

export function storedTheme(): Theme {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

/** Puts `dark` on <html> for the chosen theme (or the system's, when "system"). */
export function applyTheme(theme: Theme): void {
  const dark = theme === "dark" || (theme === "system" && media().matches);
  document.documentElement.classList.toggle("dark", dark);
}

export function useTheme(): [Theme, (theme: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  useEffect(() => {
    applyTheme(theme);
    if (theme !== "system") return;
    const query = media();
    const follow = () => applyTheme("system");
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, [theme]);
  return [
    theme,
    (next) => {
      if (next === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
      setTheme(next);
    },
  ];
}
