import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { lazy, Suspense } from "react";
import { dailySeries } from "../lib/daily-series";
import { Empty, ErrorState, Loading, PageHeader } from "../components/states";
import { StatusBadge } from "../components/status-badge";
import { Alert } from "../components/ui/alert";
import { Badge } from "../components/ui/badge";
import { Card, CardTitle } from "../components/ui/card";
import { Progress } from "../components/ui/progress";
import { Skeleton } from "../components/ui/skeleton";
import { api, unwrap } from "../lib/api";
import { useI18n, type MessageKey } from "../lib/i18n";
import { runsQuery, usageQuery } from "../lib/queries";
import { meQuery } from "../lib/session";

const DailyChart = lazy(() => import("../components/daily-chart"));

type Meter = { key: string; label: MessageKey; used: number; limit: number | null; bytes?: boolean };

function UsageMeter({ meter }: { meter: Meter }) {
  const { t, number, bytes } = useI18n();
  const show = meter.bytes ? bytes : number;
  const full = meter.limit !== null && meter.used >= meter.limit;
  return (
    <Card className="flex flex-col gap-2">
      <div className="flex items-baseline justify-between gap-2">
        <h2 className="text-sm font-medium text-muted-foreground">{t(meter.label)}</h2>
        {full ? <Badge tone="danger">{t("dashboard.limitReached")}</Badge> : null}
      </div>
      <p className="text-2xl font-semibold">
        {show(meter.used)}
        {meter.limit !== null ? (
          <span className="text-sm font-normal text-muted-foreground"> / {show(meter.limit)}</span>
        ) : null}
      </p>
      {meter.limit !== null ? (
        <Progress value={meter.used} max={meter.limit} label={t(meter.label)} tone={full ? "danger" : "default"} />
      ) : (
        <p className="text-xs text-muted-foreground">{t("dashboard.noLimit")}</p>
      )}
    </Card>
  );
}

export function DashboardPage() {
  const { t, locale, date, calendarDate } = useI18n();
  const me = useQuery(meQuery);
  const daily = useQuery(usageQuery("day"));
  const runs = useQuery(runsQuery(5));
  const documents = useQuery({
    queryKey: ["documents", "recent"],
    queryFn: () => unwrap(api.GET("/api/documents", { params: { query: { limit: 5 } } })),
  });
  if (me.isPending) return <Loading rows={4} />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  const { usage, limits, plan, period, stored } = me.data as typeof me.data & {
    usage: Record<string, number>;
    limits: Record<string, number>;
  };
  const meters: Meter[] = [
    { key: "ai_tokens", label: "metric.ai_tokens", used: usage.ai_tokens ?? 0, limit: limits.ai_tokens ?? null },
    { key: "ai_requests", label: "metric.ai_requests", used: usage.ai_requests ?? 0, limit: limits.ai_requests ?? null },
    // the documents limit is on what is kept now, not on this month's uploads
    { key: "documents", label: "metric.documents", used: stored?.documents ?? 0, limit: limits.documents ?? null },
    { key: "storage_bytes", label: "metric.storage_bytes", used: stored?.storage_bytes ?? 0, limit: null, bytes: true },
  ];
  const anyFull = meters.some((m) => m.limit !== null && m.used >= m.limit);
  const chart = daily.data
    ? dailySeries(daily.data.rows as { key: string; metric: string; quantity: number }[], String(daily.data.from), String(daily.data.to), (row) =>
        row.metric === "ai_tokens" ? t("metric.ai_tokens") : null,
      )
    : null;
  return (
    <>
      <PageHeader title={t("dashboard.title")}>
        <Badge tone="info">{t("dashboard.plan", { plan: t(`plan.${plan}` as MessageKey) })}</Badge>
      </PageHeader>
      <p className="mb-4 text-sm text-muted-foreground">
        {t("dashboard.period", {
          start: calendarDate(period.start ?? ""),
          end: calendarDate(new Date(new Date(period.end ?? "").getTime() - 1)), // the end is exclusive
        })}
      </p>
      {anyFull ? (
        <Alert tone="warning" className="mb-4 flex flex-wrap items-center justify-between gap-2">
          <span>{t("dashboard.limitHelp")}</span>
          <Link to="/$locale/billing" params={{ locale }} className="font-medium text-primary underline">
            {t("dashboard.upgrade")}
          </Link>
        </Alert>
      ) : null}
      <section aria-label={t("dashboard.usage")} className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {meters.map((meter) => (
          <UsageMeter key={meter.key} meter={meter} />
        ))}
      </section>
      <Card className="mt-6">
        <CardTitle>{t("dashboard.daily")}</CardTitle>
        <div className="mt-4">
          {daily.isError ? (
            <ErrorState error={daily.error} retry={() => void daily.refetch()} />
          ) : !chart ? (
            <Skeleton className="h-64 w-full" />
          ) : chart.series.length === 0 ? (
            <Empty title={t("dashboard.noUsage")} />
          ) : (
            <Suspense fallback={<Skeleton className="h-64 w-full" />}>
              <DailyChart data={chart.data} series={chart.series} label={t("dashboard.daily")} />
            </Suspense>
          )}
        </div>
      </Card>
      <div className="mt-6 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Card>
          <div className="flex items-center justify-between gap-2">
            <CardTitle>{t("dashboard.recentDocuments")}</CardTitle>
            <Link to="/$locale/documents" params={{ locale }} className="text-sm text-primary underline underline-offset-4">
              {t("common.viewAll")}
            </Link>
          </div>
          <div className="mt-4">
            {documents.isPending ? (
              <Loading rows={2} />
            ) : documents.isError ? (
              <ErrorState error={documents.error} retry={() => void documents.refetch()} />
            ) : documents.data.items.length === 0 ? (
              <Empty title={t("documents.empty")}>
                <Link to="/$locale/documents" params={{ locale }} className="text-sm text-primary underline">
                  {t("documents.uploadFirst")}
                </Link>
              </Empty>
            ) : (
              <ul className="divide-y">
                {documents.data.items.map((doc) => (
                  <li key={doc.id} className="flex items-center justify-between gap-2 py-2">
                    <Link to="/$locale/documents/$documentId" params={{ locale, documentId: doc.id }} className="min-w-0 truncate text-sm hover:underline">
                      {doc.title}
                    </Link>
                    <StatusBadge status={doc.status} />
                  </li>
                ))}
              </ul>
            )}
          </div>
        </Card>
        <Card>
          <CardTitle>{t("dashboard.recentRuns")}</CardTitle>
          <div className="mt-4">
            {runs.isPending ? (
              <Loading rows={2} />
            ) : runs.isError ? (
              <ErrorState error={runs.error} retry={() => void runs.refetch()} />
            ) : runs.data.items.length === 0 ? (
              <Empty title={t("runs.empty")} />
            ) : (
              <ul className="divide-y">
                {runs.data.items.map((run) => (
                  <li key={run.id} className="flex items-center justify-between gap-2 py-2 text-sm">
                    <span className="min-w-0 truncate">
                      {t(`feature.${run.feature}` as MessageKey)} · {date(run.created_at)}
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
