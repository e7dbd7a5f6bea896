import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { Empty, ErrorState, Loading } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Card, CardTitle } from "../../components/ui/card";
import { NativeSelect } from "../../components/ui/input";
import { Label } from "../../components/ui/label";
import { Skeleton } from "../../components/ui/skeleton";
import { api, unwrap } from "../../lib/api";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";

const DailyChart = lazy(() => import("../../components/daily-chart"));
const COUNTS = ["ready", "scheduled", "running", "succeeded", "failed", "cancelled"] as const;
const LIST_STATUSES = ["failed", "queued", "running", "cancelled", "succeeded"] as const;
const REFRESH = 3000; // live while the tab is visible (TanStack pauses it when hidden)

/** Counts by type and status, hourly throughput, and a job list with retry and cancel. */
export function JobsCard() {
  const { t, number, locale } = useI18n();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<(typeof LIST_STATUSES)[number]>("failed");
  const overview = useQuery({
    queryKey: ["admin", "jobs", "overview"],
    queryFn: () => unwrap(api.GET("/api/admin/jobs/overview")),
    refetchInterval: REFRESH,
  });
  const jobs = useQuery({
    queryKey: ["admin", "jobs", "list", status],
    queryFn: () => unwrap(api.GET("/api/admin/jobs", { params: { query: { status, limit: 50 } } })),
    refetchInterval: REFRESH,
  });
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "jobs"] });
  const retry = useMutation({ mutationFn: (id: string) => unwrap(api.POST("/api/admin/jobs/{job_id}/retry", { params: { path: { job_id: id } } })), onSuccess: done });
  const cancel = useMutation({ mutationFn: (id: string) => unwrap(api.POST("/api/admin/jobs/{job_id}/cancel", { params: { path: { job_id: id } } })), onSuccess: done });
  const hour = (value: string) => new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(new Date(value));
  const chart = (overview.data?.throughput ?? []).map((h) => ({ day: h.hour, [t("status.succeeded")]: h.succeeded, [t("status.failed")]: h.failed }));
  const error = retry.error ?? cancel.error;
  return (
    <Card>
      <CardTitle>{t("admin.jobs")}</CardTitle>
      <div className="mt-4">
        {overview.isPending ? (
          <Loading rows={3} />
        ) : overview.isError ? (
          <ErrorState error={overview.error} retry={() => void overview.refetch()} />
        ) : overview.data.by_type.length === 0 ? (
          <Empty title={t("admin.noJobs")} />
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full min-w-[36rem] text-sm" aria-label={t("admin.byType")}>
              <thead className="border-b text-left text-muted-foreground">
                <tr>
                  <th scope="col" className="py-2 pr-2 font-medium">{t("admin.type")}</th>
                  {COUNTS.map((c) => <th key={c} scope="col" className="py-2 pr-2 text-right font-medium">{t(`admin.count.${c}`)}</th>)}
                  <th scope="col" className="py-2 text-right font-medium">{t("admin.oldest")}</th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {overview.data.by_type.map((row) => (
                  <tr key={row.type}>
                    <th scope="row" className="py-2 pr-2 text-left font-normal break-all">{row.type}</th>
                    {COUNTS.map((c) => <td key={c} className="py-2 pr-2 text-right">{number(row[c])}</td>)}
                    <td className="py-2 text-right">{t("admin.seconds", { n: number(Math.round(row.oldest_ready_seconds)) })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <h3 className="mt-6 font-medium">{t("admin.throughput")}</h3>
      <div className="mt-2">
        {chart.length === 0 ? (
          <p className="text-sm text-muted-foreground">{t("admin.noThroughput")}</p>
        ) : (
          <Suspense fallback={<Skeleton className="h-64 w-full" />}>
            <DailyChart data={chart} series={[t("status.succeeded"), t("status.failed")]} label={t("admin.throughput")} tick={hour} colors={["var(--success)", "var(--destructive)"]} />
          </Suspense>
        )}
      </div>
      <div className="mt-6 flex flex-wrap items-end justify-between gap-3">
        <h3 className="font-medium">{t("admin.jobList")}</h3>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="admin-job-status">{t("documents.status")}</Label>
          <NativeSelect id="admin-job-status" className="h-9 w-auto" value={status} onChange={(e) => setStatus(e.target.value as (typeof LIST_STATUSES)[number])}>
            {LIST_STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </NativeSelect>
        </div>
      </div>
      {error ? <Alert tone="error" className="mt-3">{errorText(error, t("common.error"))}</Alert> : null}
      <div className="mt-3">
        {jobs.isPending ? (
          <Loading rows={2} />
        ) : jobs.isError ? (
          <ErrorState error={jobs.error} retry={() => void jobs.refetch()} />
        ) : jobs.data.length === 0 ? (
          <Empty title={t("admin.noJobsWithStatus")} />
        ) : (
          <ul aria-label={t("admin.jobList")} className="divide-y">
            {jobs.data.map((job) => (
              <li key={job.id} className="flex flex-wrap items-start justify-between gap-2 py-3 text-sm">
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium break-all">{job.type}</span>
                    <StatusBadge status={job.status} />
                    <span className="text-xs text-muted-foreground">{t("admin.attempts", { n: job.attempts })}</span>
                  </div>
                  {job.error_message ? <pre className="mt-1 text-xs whitespace-pre-wrap break-words text-destructive">{job.error_message}</pre> : null}
                </div>
                {job.status === "failed" || job.status === "cancelled" ? (
                  <Button variant="outline" size="sm" disabled={retry.isPending} onClick={() => retry.mutate(job.id)}>{t("admin.retry")}</Button>
                ) : job.status === "queued" || job.status === "running" ? (
                  <Button variant="outline" size="sm" disabled={cancel.isPending} onClick={() => cancel.mutate(job.id)}>{t("common.cancel")}</Button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
