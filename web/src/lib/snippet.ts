/** A snippet cut at its match offsets: plain text pieces, `marked` where a match is. Built
 * from the offsets (never from the server's HTML) so nothing is ever parsed as markup. */
export function snippetParts(text: string, highlights: readonly (readonly number[])[]): { text: string; marked: boolean }[] {
  const parts: { text: string; marked: boolean }[] = [];
  let at = 0;
  for (const [rawStart = 0, rawEnd = 0] of [...highlights].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))) {
    const start = Math.max(at, Math.min(rawStart, text.length));
    const end = Math.max(start, Math.min(rawEnd, text.length));
    if (start > at) parts.push({ text: text.slice(at, start), marked: false });
    if (end > start) parts.push({ text: text.slice(start, end), marked: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), marked: false });
  return parts;
}
