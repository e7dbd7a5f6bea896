import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { ArrowLeft, Download, MessageSquareText, Pencil, RefreshCw, Trash2 } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Confirm } from "../../components/confirm";
import { Empty, ErrorState, Loading, PageHeader } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Card, CardTitle } from "../../components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "../../components/ui/dialog";
import { Input } from "../../components/ui/input";
import { Label } from "../../components/ui/label";
import { api, unwrap } from "../../lib/api";
import { errorText } from "../../lib/errors";
import { useI18n, type MessageKey } from "../../lib/i18n";

const route = getRouteApi("/$locale/app/documents/$documentId");

function RenameDialog({ id, title }: { id: string; title: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(title);
  const rename = useMutation({
    mutationFn: () => unwrap(api.PATCH("/api/documents/{document_id}", { params: { path: { document_id: id } }, body: { title: value } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["documents"] });
      setOpen(false);
    },
  });
  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (next) { setValue(title); rename.reset(); } }}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm"><Pencil aria-hidden="true" /> {t("documents.rename")}</Button>
      </DialogTrigger>
      <DialogContent title={t("documents.rename")}>
        <form className="flex flex-col gap-4" onSubmit={(e) => { e.preventDefault(); rename.mutate(); }}>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="rename-title">{t("documents.col.title")}</Label>
            <Input id="rename-title" value={value} onChange={(e) => setValue(e.target.value)} required maxLength={255} />
          </div>
          {rename.error ? <Alert tone="error">{errorText(rename.error, t("common.error"))}</Alert> : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild><Button type="button" variant="outline">{t("common.cancel")}</Button></DialogClose>
            <Button type="submit" disabled={rename.isPending || !value.trim()}>{t("common.save")}</Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

const META_KEYS = ["original_filename", "sniffed_type", "extractor", "pages", "words", "characters", "sha256"] as const;

export function DocumentPage() {
  const { t, locale, date, bytes, number } = useI18n();
  const { documentId } = route.useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const path = { params: { path: { document_id: documentId } } };
  const doc = useQuery({
    queryKey: ["documents", "one", documentId],
    queryFn: () => unwrap(api.GET("/api/documents/{document_id}", path)),
    refetchInterval: (query) => (query.state.data?.status === "uploaded" ? 1500 : false),
  });
  const processed = doc.data?.status === "processed";
  const text = useQuery({
    queryKey: ["documents", "text", documentId],
    queryFn: () => unwrap(api.GET("/api/documents/{document_id}/text", path)),
    enabled: processed,
  });
  const runs = useQuery({
    queryKey: ["runs", "document", documentId],
    queryFn: () => unwrap(api.GET("/api/runs", { params: { query: { document_id: documentId, limit: 20 } } })),
    refetchInterval: (query) => (query.state.data?.items.some((r) => r.status === "queued" || r.status === "running") ? 1500 : false),
  });
  const summarize = useMutation({
    mutationFn: () => unwrap(api.POST("/api/documents/{document_id}/summarize", path)),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["runs"] }),
  });
  const askAbout = useMutation({
    // a new conversation that answers from this document only
    mutationFn: async (title: string) => {
      const conversation = await unwrap(api.POST("/api/conversations", { body: { title: t("ask.conversationTitle", { title }).slice(0, 200), task: "chat" } }));
      await unwrap(api.PUT("/api/conversations/{conversation_id}/documents", { params: { path: { conversation_id: conversation.id } }, body: { document_ids: [documentId] } }));
      return conversation.id;
    },
    onSuccess: async (conversationId) => {
      await queryClient.invalidateQueries({ queryKey: ["conversations"] });
      await navigate({ to: "/$locale/chat/$conversationId", params: { locale, conversationId } });
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/documents/{document_id}", path)),
    onSuccess: async () => {
      // leave first: the detail's queries would otherwise refetch a document that is gone
      await navigate({ to: "/$locale/documents", params: { locale } });
      queryClient.removeQueries({ queryKey: ["documents", "one", documentId] });
      queryClient.removeQueries({ queryKey: ["documents", "text", documentId] });
      await queryClient.invalidateQueries({ queryKey: ["documents"] });
      await queryClient.invalidateQueries({ queryKey: ["me"] });
    },
  });
  const running = Boolean(runs.data?.items.some((r) => r.status === "queued" || r.status === "running"));
  const wasRunning = useRef(false);
  useEffect(() => {
    // a run on this document just finished: re-read it, so a new summary shows at once
    if (wasRunning.current && !running) void queryClient.invalidateQueries({ queryKey: ["documents", "one", documentId] });
    wasRunning.current = running;
  }, [running, queryClient, documentId]);
  const back = (
    <Link to="/$locale/documents" params={{ locale }} className="mb-4 inline-flex items-center gap-1 text-sm text-primary hover:underline">
      <ArrowLeft aria-hidden="true" className="size-4" /> {t("documents.back")}
    </Link>
  );
  if (doc.isPending) return <>{back}<Loading rows={4} /></>;
  if (doc.isError) return <>{back}<ErrorState error={doc.error} retry={() => void doc.refetch()} /></>;
  const d = doc.data;
  const meta = d.metadata as Record<string, unknown>;
  return (
    <>
      {back}
      <PageHeader title={d.title}>
        <StatusBadge status={d.status} />
      </PageHeader>
      <div className="mb-6 flex flex-wrap gap-2">
        <Button asChild variant="outline" size="sm">
          <a href={`/api/documents/${d.id}/content`} download>
            <Download aria-hidden="true" /> {t("documents.download")}
          </a>
        </Button>
        <Button variant="outline" size="sm" disabled={!processed || askAbout.isPending} onClick={() => askAbout.mutate(d.title)}>
          <MessageSquareText aria-hidden="true" /> {t("ask.button")}
        </Button>
        <RenameDialog id={d.id} title={d.title} />
        <Button variant="outline" size="sm" disabled={!processed || summarize.isPending || running} onClick={() => summarize.mutate()}>
          <RefreshCw aria-hidden="true" /> {t("documents.resummarize")}
        </Button>
        <Confirm
          trigger={<Button variant="destructive" size="sm"><Trash2 aria-hidden="true" /> {t("documents.delete")}</Button>}
          title={t("documents.deleteTitle")}
          body={t("documents.deleteBody", { title: d.title })}
          action={t("documents.delete")}
          pending={remove.isPending}
          onConfirm={() => remove.mutate()}
        />
      </div>
      {summarize.error ? <Alert tone="error" className="mb-4">{errorText(summarize.error, t("common.error"))}</Alert> : null}
      {remove.error ? <Alert tone="error" className="mb-4">{errorText(remove.error, t("common.error"))}</Alert> : null}
      {d.status === "failed" ? <Alert tone="error" className="mb-4">{String(meta.error ?? t("documents.failed"))}</Alert> : null}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardTitle>{t("documents.summary")}</CardTitle>
          <div className="mt-3 text-sm leading-relaxed whitespace-pre-wrap">
            {d.summary ?? (d.status === "uploaded" ? t("documents.processing") : t("documents.noSummary"))}
          </div>
        </Card>
        <Card>
          <CardTitle>{t("documents.metadata")}</CardTitle>
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-muted-foreground">{t("documents.col.size")}</dt><dd>{bytes(d.size_bytes)}</dd>
            <dt className="text-muted-foreground">{t("documents.type")}</dt><dd className="break-all">{d.content_type}</dd>
            <dt className="text-muted-foreground">{t("documents.col.created")}</dt><dd>{date(d.created_at)}</dd>
            {META_KEYS.filter((k) => meta[k] !== undefined && meta[k] !== null && !(k === "sniffed_type" && meta[k] === d.content_type)).map((k) => (
              <div key={k} className="contents">
                <dt className="text-muted-foreground">{t(`documents.meta.${k}` as MessageKey)}</dt>
                <dd className="break-all">{typeof meta[k] === "number" ? number(meta[k]) : String(meta[k])}</dd>
              </div>
            ))}
          </dl>
        </Card>
        <Card className="lg:col-span-2">
          <CardTitle>{t("documents.preview")}</CardTitle>
          <div className="mt-3">
            {!processed ? (
              <p className="text-sm text-muted-foreground">{d.status === "uploaded" ? t("documents.processing") : t("documents.noText")}</p>
            ) : text.isPending ? (
              <Loading rows={3} />
            ) : text.isError ? (
              <ErrorState error={text.error} retry={() => void text.refetch()} />
            ) : (
              <>
                <pre className="max-h-96 overflow-auto rounded-md bg-muted p-3 text-xs whitespace-pre-wrap break-words">{text.data.text}</pre>
                {text.data.truncated ? <p className="mt-2 text-xs text-muted-foreground">{t("documents.truncated", { count: number(text.data.characters) })}</p> : null}
              </>
            )}
          </div>
        </Card>
        <Card>
          <CardTitle>{t("documents.runs")}</CardTitle>
          <div className="mt-3">
            {runs.isPending ? (
              <Loading rows={2} />
            ) : runs.isError ? (
              <ErrorState error={runs.error} retry={() => void runs.refetch()} />
            ) : runs.data.items.length === 0 ? (
              <Empty title={t("runs.empty")} />
            ) : (
              <ul className="divide-y text-sm">
                {runs.data.items.map((run) => (
                  <li key={run.id} className="flex items-center justify-between gap-2 py-2">
                    <span className="min-w-0">
                      <span className="block truncate">{t(`feature.${run.feature}` as MessageKey)}</span>
                      <span className="text-xs text-muted-foreground">{date(run.created_at)}</span>
                    </span>
                    <StatusBadge status={run.status} />
                  </li>
                ))}
              </ul>
            )}
          </div>
        </Card>
      </div>
    </>
  );
}
