import type { HTMLAttributes } from "react";
import { cn } from "../../lib/cn";

type Tone = "info" | "error" | "success" | "warning";
const tones: Record<Tone, string> = {
  info: "border-primary/40",
  error: "border-destructive/50 text-destructive",
  success: "border-success/50 text-success",
  warning: "border-warning/50",
};

/** A message box; errors are announced to screen readers as they appear. */
export function Alert({
  tone = "info",
  className,
  ...props
}: HTMLAttributes<HTMLDivElement> & { tone?: Tone }) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn("rounded-md border p-3 text-sm break-words", tones[tone], className)}
      {...props}
    />
  );
}
