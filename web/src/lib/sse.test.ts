import { describe, expect, it } from "vitest";
import { readSse } from "./sse";

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe("readSse", () => {
  it("reassembles events split across chunks, multi-byte characters included", async () => {
    const events = [];
    for await (const e of readSse(stream(['event: delta\ndata: {"text":"你', '好"}\n\nevent: do', 'ne\ndata: {}\n\n'])))
      events.push(e);
    expect(events).toEqual([
      { event: "delta", data: '{"text":"你好"}' },
      { event: "done", data: "{}" },
    ]);
  });
});
