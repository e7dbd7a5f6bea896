import * as ProgressPrimitive from "@radix-ui/react-progress";
import { cn } from "../../lib/cn";

export function Progress({
  value,
  max = 100,
  label,
  className,
  tone = "default",
}: {
  value: number;
  max?: number;
  label: string;
  className?: string;
  tone?: "default" | "danger";
}) {
  const ratio = max > 0 ? Math.min(1, value / max) : 0;
  return (
    <ProgressPrimitive.Root
      aria-label={label}
      value={Math.min(value, max)}
      max={max}
      className={cn("relative h-2 w-full overflow-hidden rounded-full bg-muted", className)}
    >
      <ProgressPrimitive.Indicator
        className={cn("h-full transition-all", tone === "danger" ? "bg-destructive" : "bg-primary")}
        style={{ width: `${ratio * 100}%` }}
      />
    </ProgressPrimitive.Root>
  );
}
