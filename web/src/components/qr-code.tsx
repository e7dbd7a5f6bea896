import { encode } from "uqr";

/** A QR code drawn here, in the page, from its text: the secret it carries never leaves. */
export function QrCode({ text, label, size = 192 }: { text: string; label: string; size?: number }) {
  const { data } = encode(text, { ecc: "M", border: 2 });
  const path = data
    .flatMap((row, y) => row.map((dark, x) => (dark ? `M${x} ${y}h1v1h-1z` : "")))
    .join("");
  return (
    <svg role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${data.length} ${data.length}`} shapeRendering="crispEdges" className="rounded bg-white">
      <path d={path} fill="#000" />
    </svg>
  );
}
