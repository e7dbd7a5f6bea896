import { useQueryClient } from "@tanstack/react-query";
import { Upload } from "lucide-react";
import { useRef, useState } from "react";
import { Button } from "../../components/ui/button";
import { Progress } from "../../components/ui/progress";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { uploadDocument } from "../../lib/upload";

type Item = { key: string; name: string; size: number; loaded: number; state: "uploading" | "done" | "refused"; reason?: string };

/** Picker or drag-and-drop, several files at once, each with its own bar and outcome. */
export function UploadZone() {
  const { t, bytes } = useI18n();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [items, setItems] = useState<Item[]>([]);
  const [over, setOver] = useState(false);
  const update = (key: string, patch: Partial<Item>) =>
    setItems((all) => all.map((item) => (item.key === key ? { ...item, ...patch } : item)));

  const start = (files: FileList | null) => {
    if (!files?.length) return;
    const batch = [...files].map((file, i) => ({ file, key: `${Date.now()}-${i}-${file.name}` }));
    setItems((all) => [
      ...batch.map(({ file, key }) => ({ key, name: file.name, size: file.size, loaded: 0, state: "uploading" as const })),
      ...all,
    ]);
    for (const { file, key } of batch) {
      uploadDocument(file, ({ loaded }) => update(key, { loaded }), t("common.error"))
        .then(() => update(key, { state: "done", loaded: file.size }))
        .catch((error: unknown) => update(key, { state: "refused", reason: errorText(error, t("common.error")) }))
        .finally(() => {
          void queryClient.invalidateQueries({ queryKey: ["documents"] });
          void queryClient.invalidateQueries({ queryKey: ["me"] });
        });
    }
  };

  return (
    <section aria-label={t("documents.upload")} className="mb-6">
      <div
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          start(event.dataTransfer.files);
        }}
        className={`flex flex-col items-center gap-3 rounded-lg border-2 border-dashed p-6 text-center ${over ? "border-primary bg-primary/5" : ""}`}
      >
        <Upload aria-hidden="true" className="size-6 text-muted-foreground" />
        <p className="text-sm text-muted-foreground">{t("documents.dropHint")}</p>
        <Button type="button" variant="outline" onClick={() => input.current?.click()}>
          {t("documents.choose")}
        </Button>
        <input
          ref={input}
          type="file"
          multiple
          aria-label={t("documents.choose")}
          className="sr-only"
          tabIndex={-1}
          onChange={(event) => {
            start(event.target.files);
            event.target.value = "";
          }}
        />
      </div>
      {items.length ? (
        <ul aria-label={t("documents.uploads")} className="mt-4 flex flex-col gap-3">
          {items.map((item) => (
            <li key={item.key} className="rounded-md border p-3 text-sm">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span className="min-w-0 font-medium break-all">{item.name}</span>
                <span className={item.state === "refused" ? "text-destructive" : "text-muted-foreground"}>
                  {item.state === "uploading"
                    ? `${bytes(item.loaded)} / ${bytes(item.size)}`
                    : item.state === "done"
                      ? t("documents.uploaded")
                      : t("documents.refused")}
                </span>
              </div>
              {item.state === "refused" ? (
                <p role="alert" className="mt-1 text-destructive">{item.reason}</p>
              ) : (
                <Progress className="mt-2" value={item.loaded} max={item.size || 1} label={t("documents.progressOf", { name: item.name })} />
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
