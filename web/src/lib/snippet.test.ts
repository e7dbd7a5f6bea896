import { describe, expect, it } from "vitest";
import { snippetParts } from "./snippet";

describe("snippetParts", () => {
  it("marks the offsets and keeps markup as text", () => {
    expect(snippetParts("a <b>budget</b> grew", [[5, 11]])).toEqual([
      { text: "a <b>", marked: false },
      { text: "budget", marked: true },
      { text: "</b> grew", marked: false },
    ]);
  });
  it("survives overlapping, unsorted and out-of-range offsets", () => {
    expect(snippetParts("abcdef", [[4, 99], [0, 2], [1, 3]])).toEqual([
      { text: "ab", marked: true },
      { text: "c", marked: true },
      { text: "d", marked: false },
      { text: "ef", marked: true },
    ]);
  });
});
