import { useState } from "react";
import { useI18n } from "../lib/i18n";
import { Button } from "./ui/button";

/** Copies `text`; says so, or that the browser refused (the text stays on screen to select). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <Button
      type="button"
      variant="outline"
      size="sm"
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setState("copied"),
          () => setState("failed"),
        );
      }}
    >
      {state === "copied" ? t("common.copied") : state === "failed" ? t("common.copyFailed") : label}
    </Button>
  );
}
