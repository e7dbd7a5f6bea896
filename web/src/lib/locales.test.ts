import { describe, expect, it } from "vitest";
import { en } from "../locales/en-US";
import { zh } from "../locales/zh-CN";
import { translate } from "./i18n";
import { matchLocale, switchLocalePath } from "./locales";

describe("catalogs", () => {
  it("have the same keys in every locale, none empty", () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, value] of [...Object.entries(en), ...Object.entries(zh)]) {
      expect(value.trim(), key).not.toBe("");
    }
  });

  it("use the same placeholders in every locale", () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(names(zh[key]), key).toEqual(names(en[key]));
    }
  });

  it("fill placeholders and leave unknown ones visible", () => {
    expect(translate("en-US", "auth.continueWith", { provider: "GitHub" })).toBe("Continue with GitHub");
    expect(translate("zh-CN", "auth.continueWith", { provider: "GitHub" })).toBe("使用 GitHub 继续");
    expect(translate("en-US", "auth.continueWith")).toBe("Continue with {provider}");
  });
});

describe("locale routing", () => {
  it("picks the first supported browser language", () => {
    expect(matchLocale(["fr-FR", "zh-Hans-CN", "en-US"])).toBe("zh-CN");
    expect(matchLocale(["en-GB"])).toBe("en-US");
    expect(matchLocale(["fr", "de"])).toBeNull();
  });

  it("switches the locale segment and keeps the rest of the address", () => {
    expect(switchLocalePath("/zh-CN/documents?q=a#x", "en-US")).toBe("/en-US/documents?q=a#x");
    expect(switchLocalePath("/billing?checkout=success", "zh-CN")).toBe("/zh-CN/billing?checkout=success");
    expect(switchLocalePath("/", "en-US")).toBe("/en-US/");
  });
});
