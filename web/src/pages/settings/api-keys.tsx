import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Confirm } from "../../components/confirm";
import { CopyButton } from "../../components/copy-button";
import { Field, formValues } from "../../components/form";
import { ErrorState, Loading } from "../../components/states";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Label } from "../../components/ui/label";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { authCall, Section } from "./section";

type ApiKey = { id: string; name: string | null; start: string | null; prefix: string | null; createdAt: string; expiresAt: string | null };
const DAY = 86_400;
const EXPIRIES = [30, 90, 365, 0] as const; // days; 0 = never

/** @better-auth/api-key's endpoints, called as its client plugin calls them. */
const keys = {
  list: () => authClient.$fetch<{ apiKeys: ApiKey[] }>("/api-key/list", { method: "GET" }),
  create: (name: string, days: number) =>
    authClient.$fetch<ApiKey & { key: string }>("/api-key/create", { method: "POST", body: { name, ...(days ? { expiresIn: days * DAY } : {}) } }),
  remove: (keyId: string) => authClient.$fetch<{ success: boolean }>("/api-key/delete", { method: "POST", body: { keyId } }),
};

export function ApiKeysSection() {
  const { t, date } = useI18n();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<string | null>(null);
  const list = useQuery({ queryKey: ["api-keys"], queryFn: () => authCall(keys.list(), t("common.error")) });
  const done = () => queryClient.invalidateQueries({ queryKey: ["api-keys"] });
  const create = useMutation({
    mutationFn: (v: Record<string, string>) => authCall(keys.create(v.name ?? "", Number(v.expiry ?? 0)), t("common.error")),
    onSuccess: async (key) => {
      setCreated(key?.key ?? null);
      await done();
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => authCall(keys.remove(id), t("common.error")), onSuccess: done });
  return (
    <Section id="api-keys" title={t("settings.apiKeys")} description={t("settings.apiKeys.help")}>
      <div className="flex flex-col gap-4">
        <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); create.mutate(formValues(e.currentTarget), { onSuccess: () => (e.target as HTMLFormElement).reset() }); }}>
          <Field label={t("settings.apiKeys.name")} name="name" required maxLength={64} />
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="api-key-expiry">{t("settings.apiKeys.expiry")}</Label>
            <select id="api-key-expiry" name="expiry" defaultValue="90" className="h-9 rounded-md border bg-background px-3 text-sm">
              {EXPIRIES.map((days) => (
                <option key={days} value={days}>{days ? t("settings.apiKeys.days", { days: String(days) }) : t("settings.apiKeys.never")}</option>
              ))}
            </select>
          </div>
          {create.error ? <Alert tone="error">{errorText(create.error, t("common.error"))}</Alert> : null}
          <Button type="submit" variant="outline" className="self-start" disabled={create.isPending}>{t("settings.apiKeys.create")}</Button>
        </form>
        {created ? (
          <Alert tone="success">
            <p>{t("settings.apiKeys.shownOnce")}</p>
            <code className="my-2 block break-all font-mono" data-testid="new-api-key">{created}</code>
            <CopyButton text={created} label={t("settings.apiKeys.copy")} />
          </Alert>
        ) : null}
        {list.isPending ? (
          <Loading rows={2} />
        ) : list.isError ? (
          <ErrorState error={list.error} retry={() => void list.refetch()} />
        ) : (list.data?.apiKeys.length ?? 0) === 0 ? (
          <p className="text-sm text-muted-foreground">{t("settings.apiKeys.none")}</p>
        ) : (
          <ul aria-label={t("settings.apiKeys")} className="divide-y">
            {list.data?.apiKeys.map((key) => (
              <li key={key.id} className="flex flex-wrap items-center justify-between gap-2 py-3 text-sm">
                <div className="min-w-0">
                  <div className="font-medium">{key.name || t("settings.apiKeys.unnamed")} <code className="font-mono text-xs">{key.start ?? key.prefix ?? ""}…</code></div>
                  <div className="text-xs text-muted-foreground">
                    {t("settings.apiKeys.meta", { created: date(key.createdAt), expires: key.expiresAt ? date(key.expiresAt) : t("settings.apiKeys.never") })}
                  </div>
                </div>
                <Confirm
                  trigger={<Button variant="outline" size="sm">{t("settings.apiKeys.revoke")}</Button>}
                  title={t("settings.apiKeys.revokeTitle")}
                  body={t("settings.apiKeys.revokeBody", { name: key.name || t("settings.apiKeys.unnamed") })}
                  action={t("settings.apiKeys.revoke")}
                  pending={revoke.isPending}
                  onConfirm={() => revoke.mutate(key.id)}
                />
              </li>
            ))}
          </ul>
        )}
        {revoke.error ? <Alert tone="error">{errorText(revoke.error, t("common.error"))}</Alert> : null}
      </div>
    </Section>
  );
}
