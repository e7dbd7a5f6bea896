import { useMutation, useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { ErrorState, Loading, PageHeader } from "../components/states";
import { Alert } from "../components/ui/alert";
import { Badge } from "../components/ui/badge";
import { Button } from "../components/ui/button";
import { Card, CardTitle } from "../components/ui/card";
import { api, unwrap } from "../lib/api";
import { errorText } from "../lib/errors";
import { useI18n, type MessageKey } from "../lib/i18n";
import { plansQuery } from "../lib/queries";
import { configQuery } from "../lib/session";

const route = getRouteApi("/$locale/app/billing");
type Subscription = { status?: string; plan_tier?: string; effective_plan?: string; current_period_end?: string | null; cancel_at_period_end?: boolean };
type Plan = { tier: string; limits: Record<string, number>; models: string[] };

export function BillingPage() {
  const { t, number, bytes, date } = useI18n();
  const { checkout } = route.useSearch();
  const config = useQuery(configQuery);
  const plans = useQuery(plansQuery);
  const subscription = useQuery({
    queryKey: ["subscription"],
    queryFn: () => unwrap(api.GET("/api/billing/subscription")) as Promise<Subscription>,
  });
  const go = useMutation({
    mutationFn: async (where: "checkout" | "portal") => {
      const { url } = await unwrap(api.POST(where === "checkout" ? "/api/billing/checkout" : "/api/billing/portal"));
      window.location.assign(url ?? "");
    },
  });
  if (subscription.isPending || plans.isPending) return <Loading rows={4} />;
  if (subscription.isError) return <ErrorState error={subscription.error} retry={() => void subscription.refetch()} />;
  if (plans.isError) return <ErrorState error={plans.error} retry={() => void plans.refetch()} />;
  const sub = subscription.data;
  const current = sub.effective_plan ?? "free";
  const enabled = config.data?.billing_enabled ?? false;
  const banner: Record<string, MessageKey> = { trialing: "billing.trialing", past_due: "billing.pastDue", cancelled: "billing.cancelled" };
  return (
    <>
      <PageHeader title={t("billing.title")} />
      {checkout === "success" ? <Alert tone="success" className="mb-4">{t("billing.checkoutSuccess")}</Alert> : null}
      {checkout === "cancelled" ? <Alert tone="info" className="mb-4">{t("billing.checkoutCancelled")}</Alert> : null}
      {sub.status && banner[sub.status] ? (
        <Alert tone={sub.status === "trialing" ? "info" : "warning"} className="mb-4">
          {t(banner[sub.status]!, { date: sub.current_period_end ? date(sub.current_period_end) : "—" })}
        </Alert>
      ) : null}
      {sub.cancel_at_period_end && sub.status !== "cancelled" ? (
        <Alert tone="warning" className="mb-4">{t("billing.endsAt", { date: sub.current_period_end ? date(sub.current_period_end) : "—" })}</Alert>
      ) : null}
      {!enabled ? <Alert tone="info" className="mb-4">{t("billing.notConfigured")}</Alert> : null}
      {go.error ? <Alert tone="error" className="mb-4">{errorText(go.error, t("common.error"))}</Alert> : null}
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {(plans.data as Plan[]).map((plan) => (
          <Card key={plan.tier} className={plan.tier === current ? "border-primary" : ""}>
            <div className="flex items-center justify-between gap-2">
              <CardTitle>{t(`plan.${plan.tier}` as MessageKey)}</CardTitle>
              {plan.tier === current ? <Badge tone="info">{t("billing.current")}</Badge> : null}
            </div>
            <dl className="mt-4 grid grid-cols-[1fr_auto] gap-y-1 text-sm">
              <dt className="text-muted-foreground">{t("metric.ai_tokens")}</dt><dd>{number(plan.limits.ai_tokens ?? 0)}</dd>
              <dt className="text-muted-foreground">{t("metric.ai_requests")}</dt><dd>{number(plan.limits.ai_requests ?? 0)}</dd>
              <dt className="text-muted-foreground">{t("metric.documents")}</dt><dd>{number(plan.limits.documents ?? 0)}</dd>
              <dt className="text-muted-foreground">{t("billing.maxFile")}</dt><dd>{bytes(plan.limits.max_file_bytes ?? 0)}</dd>
              <dt className="text-muted-foreground">{t("billing.models")}</dt><dd className="text-right break-all">{plan.models.join(", ")}</dd>
            </dl>
            <div className="mt-4">
              {plan.tier === "pro" && current !== "pro" ? (
                <Button disabled={!enabled || go.isPending} onClick={() => go.mutate("checkout")}>{t("billing.upgrade")}</Button>
              ) : plan.tier === current && current !== "free" ? (
                <Button variant="outline" disabled={!enabled || go.isPending} onClick={() => go.mutate("portal")}>{t("billing.manage")}</Button>
              ) : null}
            </div>
          </Card>
        ))}
      </div>
    </>
  );
}
