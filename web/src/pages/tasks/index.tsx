import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { Empty, ErrorState, Loading, PageHeader } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Card, CardTitle } from "../../components/ui/card";
import { Input, NativeSelect, Textarea } from "../../components/ui/input";
import { Label } from "../../components/ui/label";
import { api, unwrap } from "../../lib/api";
import { errorText } from "../../lib/errors";
import { useI18n, type MessageKey } from "../../lib/i18n";
import { modelsQuery } from "../../lib/queries";
import { meQuery } from "../../lib/session";
import { ExtractionView } from "./extraction-view";

const route = getRouteApi("/$locale/app/tasks");
export const FEATURES = ["summarize", "rewrite", "extraction"] as const;
export type TaskFeature = (typeof FEATURES)[number];
const TONES = ["professional", "friendly", "casual", "concise", "formal"] as const;
const active = (status?: string) => status === "queued" || status === "running";

function RunResult({ runId }: { runId: string }) {
  const { t, money } = useI18n();
  const run = useQuery({
    queryKey: ["runs", "one", runId],
    queryFn: () => unwrap(api.GET("/api/runs/{run_id}", { params: { path: { run_id: runId } } })),
    refetchInterval: (query) => (active(query.state.data?.status) ? 800 : false),
  });
  if (run.isPending) return <Loading rows={2} />;
  if (run.isError) return <ErrorState error={run.error} retry={() => void run.refetch()} />;
  const r = run.data;
  const artifact = r.artifacts[0];
  const fields = (artifact?.metadata as { fields?: Record<string, unknown> } | undefined)?.fields;
  return (
    <Card aria-label={t("tasks.result")}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <CardTitle>{t(`feature.${r.feature}` as MessageKey)}</CardTitle>
        <div className="flex items-center gap-2 text-sm text-muted-foreground">
          <span>{r.model}</span>
          {r.cost_usd != null ? <span>{money(r.cost_usd)}</span> : null}
          <StatusBadge status={r.status} />
        </div>
      </div>
      <div className="mt-4">
        {active(r.status) ? (
          <p role="status" className="text-sm text-muted-foreground">{t("tasks.working")}</p>
        ) : r.status === "failed" ? (
          <Alert tone="error">{r.error_message ?? t("common.error")}</Alert>
        ) : r.status === "cancelled" ? (
          <Alert tone="warning">{t("status.cancelled")}</Alert>
        ) : fields ? (
          <ExtractionView fields={fields} />
        ) : (
          <p className="text-sm leading-relaxed whitespace-pre-wrap break-words">{artifact?.content ?? r.response_text}</p>
        )}
      </div>
    </Card>
  );
}

function History({ feature, onOpen }: { feature: TaskFeature; onOpen: (id: string) => void }) {
  const { t, date, money } = useI18n();
  const runs = useQuery({
    queryKey: ["runs", "feature", feature],
    queryFn: () => unwrap(api.GET("/api/runs", { params: { query: { feature, limit: 20 } } })),
    refetchInterval: (query) => (query.state.data?.items.some((r) => active(r.status)) ? 1500 : false),
  });
  if (runs.isPending) return <Loading rows={3} />;
  if (runs.isError) return <ErrorState error={runs.error} retry={() => void runs.refetch()} />;
  if (runs.data.items.length === 0) return <Empty title={t("runs.empty")} />;
  return (
    <table className="w-full table-fixed text-sm">
      <thead className="border-b text-left text-muted-foreground">
        <tr>
          <th scope="col" className="py-2 pr-2 font-medium">{t("tasks.col.input")}</th>
          <th scope="col" className="w-28 py-2 pr-2 font-medium">{t("tasks.col.status")}</th>
          <th scope="col" className="hidden w-24 py-2 pr-2 font-medium sm:table-cell">{t("tasks.col.cost")}</th>
          <th scope="col" className="hidden w-44 py-2 font-medium md:table-cell">{t("tasks.col.when")}</th>
        </tr>
      </thead>
      <tbody className="divide-y">
        {runs.data.items.map((run) => (
          <tr key={run.id}>
            <td className="py-2 pr-2">
              <button type="button" className="block w-full truncate text-left text-primary underline" onClick={() => onOpen(run.id)}>
                {run.prompt.slice(0, 120) || run.id}
              </button>
            </td>
            <td className="py-2 pr-2"><StatusBadge status={run.status} /></td>
            <td className="hidden py-2 pr-2 sm:table-cell">{run.cost_usd != null ? money(run.cost_usd) : "—"}</td>
            <td className="hidden py-2 md:table-cell">{date(run.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TasksPage() {
  const { t } = useI18n();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/$locale/tasks" });
  const queryClient = useQueryClient();
  const feature: TaskFeature = FEATURES.find((f) => f === search.feature) ?? "summarize";
  const me = useQuery(meQuery).data;
  const models = (useQuery(modelsQuery).data ?? []).filter((m) => !me || m.plans.includes(me.plan));
  const [input, setInput] = useState("");
  const [model, setModel] = useState("");
  const [tone, setTone] = useState("");
  const [sentences, setSentences] = useState("");
  const create = useMutation({
    mutationFn: () => {
      const options: Record<string, unknown> = {};
      if (feature === "rewrite" && tone) options.tone = tone;
      if (feature === "summarize" && sentences) options.max_sentences = Number(sentences);
      return unwrap(api.POST("/api/runs", { body: { feature, input, model: model || null, options } }));
    },
    onSuccess: async (run) => {
      await navigate({ search: (s) => ({ ...s, run: run.id }) });
      await queryClient.invalidateQueries({ queryKey: ["runs"] });
      await queryClient.invalidateQueries({ queryKey: ["me"] });
    },
  });
  return (
    <>
      <PageHeader title={t("tasks.title")} />
      <div role="tablist" aria-label={t("tasks.kind")} className="mb-4 grid grid-cols-3 gap-1 rounded-md bg-muted p-1 text-sm sm:w-fit">
        {FEATURES.map((f) => (
          <button
            key={f}
            type="button"
            role="tab"
            aria-selected={feature === f}
            onClick={() => { create.reset(); void navigate({ search: { feature: f } }); }}
            className={`rounded px-3 py-1.5 ${feature === f ? "bg-background font-medium shadow-sm" : "text-muted-foreground"}`}
          >
            {t(`feature.${f}`)}
          </button>
        ))}
      </div>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card>
          <form className="flex flex-col gap-4" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="task-input">{t("tasks.input")}</Label>
              <Textarea id="task-input" value={input} onChange={(e) => setInput(e.target.value)} required className="min-h-40" placeholder={t(`tasks.placeholder.${feature}`)} />
            </div>
            <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor="task-model">{t("chat.model")}</Label>
                <NativeSelect id="task-model" value={model} onChange={(e) => setModel(e.target.value)}>
                  <option value="">{t("tasks.defaultModel")}</option>
                  {models.map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
                </NativeSelect>
              </div>
              {feature === "rewrite" ? (
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor="task-tone">{t("tasks.tone")}</Label>
                  <NativeSelect id="task-tone" value={tone} onChange={(e) => setTone(e.target.value)}>
                    <option value="">{t("tasks.defaultTone")}</option>
                    {TONES.map((x) => <option key={x} value={x}>{t(`tone.${x}`)}</option>)}
                  </NativeSelect>
                </div>
              ) : feature === "summarize" ? (
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor="task-sentences">{t("tasks.sentences")}</Label>
                  <Input id="task-sentences" type="number" min={1} max={50} value={sentences} onChange={(e) => setSentences(e.target.value)} placeholder={t("tasks.auto")} />
                </div>
              ) : null}
            </div>
            {create.error ? <Alert tone="error">{errorText(create.error, t("common.error"))}</Alert> : null}
            <Button type="submit" disabled={create.isPending || !input.trim()}>{t(`tasks.run.${feature}`)}</Button>
          </form>
        </Card>
        {search.run ? <RunResult runId={search.run} /> : <Empty title={t("tasks.noResult")} />}
      </div>
      <Card className="mt-6">
        <CardTitle>{t("tasks.history")}</CardTitle>
        <div className="mt-4">
          <History feature={feature} onOpen={(id) => void navigate({ search: (s) => ({ ...s, run: id }) })} />
        </div>
      </Card>
    </>
  );
}
