import { useQuery } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { Download } from "lucide-react";
import { lazy, Suspense } from "react";
import { Empty, ErrorState, Loading, PageHeader } from "../components/states";
import { Button } from "../components/ui/button";
import { Card, CardTitle } from "../components/ui/card";
import { NativeSelect } from "../components/ui/input";
import { Label } from "../components/ui/label";
import { Skeleton } from "../components/ui/skeleton";
import { dailySeries } from "../lib/daily-series";
import { useI18n } from "../lib/i18n";
import { usageQuery } from "../lib/queries";

const DailyChart = lazy(() => import("../components/daily-chart"));
const route = getRouteApi("/$locale/app/usage");
const METRICS = ["ai_tokens", "ai_requests", "documents", "storage_bytes"] as const;
type Row = { key: string | null; metric: string; quantity: number; cost_usd: string; events: number };

/** The last 12 calendar months (UTC), newest first, as `YYYY-MM`. */
function recentMonths(): string[] {
  const now = new Date();
  return Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
}

function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return { from: `${month}-01`, to: new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10) };
}

export function UsagePage() {
  const { t, locale, number, money, bytes } = useI18n();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/$locale/usage" });
  const months = recentMonths();
  const month = months.includes(search.month ?? "") ? search.month! : months[0]!;
  const metric = METRICS.find((m) => m === search.metric) ?? "ai_tokens";
  const { from, to } = monthRange(month);
  const byDay = useQuery(usageQuery("day", from, to));
  const byModel = useQuery(usageQuery("model", from, to));
  const show = (name: string, value: number) => (name === "storage_bytes" ? bytes(value) : number(value));
  const monthName = (value: string) => new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", timeZone: "UTC" }).format(new Date(`${value}-01T00:00:00Z`));
  const chart = byDay.data
    ? dailySeries(byDay.data.rows as Row[], String(byDay.data.from), String(byDay.data.to), (row) => (row.metric === metric ? t(`metric.${metric}`) : null))
    : null;
  const modelRows = ((byModel.data?.rows ?? []) as Row[]).filter((r) => r.metric === "ai_tokens" || r.metric === "ai_requests");
  const models = [...new Set(modelRows.map((r) => r.key ?? "—"))];
  return (
    <>
      <PageHeader title={t("usage.title")}>
        <Button asChild variant="outline" size="sm">
          <a href={`/api/usage/export.csv?from=${from}&to=${to}`} download>
            <Download aria-hidden="true" /> {t("usage.export")}
          </a>
        </Button>
      </PageHeader>
      <div className="mb-6 grid grid-cols-1 gap-3 sm:grid-cols-[14rem_14rem]">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="usage-month">{t("usage.month")}</Label>
          <NativeSelect id="usage-month" value={month} onChange={(e) => void navigate({ search: (s) => ({ ...s, month: e.target.value }) })}>
            {months.map((m) => <option key={m} value={m}>{monthName(m)}</option>)}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="usage-metric">{t("usage.metric")}</Label>
          <NativeSelect id="usage-metric" value={metric} onChange={(e) => void navigate({ search: (s) => ({ ...s, metric: e.target.value }) })}>
            {METRICS.map((m) => <option key={m} value={m}>{t(`metric.${m}`)}</option>)}
          </NativeSelect>
        </div>
      </div>
      {byDay.isPending ? (
        <Loading rows={4} />
      ) : byDay.isError ? (
        <ErrorState error={byDay.error} retry={() => void byDay.refetch()} />
      ) : (
        <>
          <section aria-label={t("usage.totals")} className="grid grid-cols-2 gap-4 lg:grid-cols-5">
            {METRICS.map((m) => (
              <Card key={m}>
                <h2 className="text-sm text-muted-foreground">{t(`metric.${m}`)}</h2>
                <p className="mt-1 text-xl font-semibold">{show(m, Number((byDay.data.totals as Record<string, number>)[m] ?? 0))}</p>
              </Card>
            ))}
            <Card>
              <h2 className="text-sm text-muted-foreground">{t("usage.cost")}</h2>
              <p className="mt-1 text-xl font-semibold">{money(byDay.data.cost_usd as string)}</p>
            </Card>
          </section>
          <Card className="mt-6">
            <CardTitle>{t("usage.daily", { metric: t(`metric.${metric}`) })}</CardTitle>
            <div className="mt-4">
              {!chart || chart.series.length === 0 ? (
                <Empty title={t("usage.none")} />
              ) : (
                <Suspense fallback={<Skeleton className="h-64 w-full" />}>
                  <DailyChart data={chart.data} series={chart.series} label={t("usage.daily", { metric: t(`metric.${metric}`) })} />
                </Suspense>
              )}
            </div>
          </Card>
        </>
      )}
      <Card className="mt-6">
        <CardTitle>{t("usage.byModel")}</CardTitle>
        <div className="mt-4">
          {byModel.isPending ? (
            <Loading rows={2} />
          ) : byModel.isError ? (
            <ErrorState error={byModel.error} retry={() => void byModel.refetch()} />
          ) : models.length === 0 ? (
            <Empty title={t("usage.none")} />
          ) : (
            <table className="w-full table-fixed text-sm">
              <thead className="border-b text-left text-muted-foreground">
                <tr>
                  <th scope="col" className="py-2 pr-2 font-medium">{t("chat.model")}</th>
                  <th scope="col" className="py-2 pr-2 font-medium">{t("metric.ai_requests")}</th>
                  <th scope="col" className="py-2 pr-2 font-medium">{t("metric.ai_tokens")}</th>
                  <th scope="col" className="py-2 font-medium">{t("usage.cost")}</th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {models.map((name) => {
                  const rows = modelRows.filter((r) => (r.key ?? "—") === name);
                  const of = (m: string) => rows.filter((r) => r.metric === m).reduce((sum, r) => sum + r.quantity, 0);
                  const cost = rows.reduce((sum, r) => sum + Number(r.cost_usd), 0);
                  return (
                    <tr key={name}>
                      <td className="py-2 pr-2 break-all">{name}</td>
                      <td className="py-2 pr-2">{number(of("ai_requests"))}</td>
                      <td className="py-2 pr-2">{number(of("ai_tokens"))}</td>
                      <td className="py-2">{money(cost)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
      </Card>
    </>
  );
}
