import { describe, expect, it } from "vitest";
import { dailySeries } from "./daily-series";
import { errorText, messageOf } from "./errors";
import { formatBytes, formatMoney } from "./format";

describe("formatting", () => {
  it("formats sizes and money in the active locale", () => {
    expect(formatBytes("en-US", 2 * 1024 * 1024)).toBe("2 MB");
    expect(formatBytes("en-US", 512)).toBe("512 B");
    expect(formatMoney("en-US", "0.000123")).toBe("$0.000123");
    expect(formatMoney("zh-CN", 12.5)).toBe("US$12.50");
  });
});

describe("errors", () => {
  it("shows the server's message, never an object dump", () => {
    expect(messageOf({ message: "quota exceeded", code: "QUOTA" }, "x")).toBe("quota exceeded");
    expect(messageOf({ detail: [{ msg: "bad" }] }, "fallback")).toBe("fallback");
    expect(errorText(new TypeError("Failed to fetch"), "Network down")).toBe("Network down");
    expect(errorText({ weird: true }, "Something went wrong")).toBe("Something went wrong");
  });
});

describe("daily series", () => {
  it("fills missing days with zero and sums per series", () => {
    const { data, series } = dailySeries(
      [
        { key: "2026-01-02", metric: "ai_tokens", quantity: 5 },
        { key: "2026-01-02", metric: "ai_requests", quantity: 1 },
      ],
      "2026-01-01T00:00:00+00:00",
      "2026-01-04T00:00:00+00:00",
      (row) => (row.metric === "ai_tokens" ? "tokens" : null),
    );
    expect(series).toEqual(["tokens"]);
    expect(data).toEqual([
      { day: "2026-01-01", tokens: 0 },
      { day: "2026-01-02", tokens: 5 },
      { day: "2026-01-03", tokens: 0 },
    ]);
  });
});
