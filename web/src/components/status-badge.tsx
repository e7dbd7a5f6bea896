import { useI18n, type MessageKey } from "../lib/i18n";
import { Badge } from "./ui/badge";

const TONES = {
  processed: "success", succeeded: "success", uploaded: "info", queued: "info", running: "info",
  failed: "danger", cancelled: "warning", active: "success", archived: "neutral",
} as const;

/** A document, run or job status, translated and coloured; unknown values show as they are. */
export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as MessageKey;
  const tone = (TONES as Record<string, "success" | "info" | "danger" | "warning" | "neutral">)[status] ?? "neutral";
  return <Badge tone={tone}>{t(key) === key ? status : t(key)}</Badge>;
}
