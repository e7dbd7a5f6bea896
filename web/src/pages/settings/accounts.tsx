import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { Field } from "../../components/form";
import { ErrorState, Loading } from "../../components/states";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "../../components/ui/dialog";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { configQuery } from "../../lib/session";
import { providerName } from "../auth/oauth-buttons";
import { authCall, Section } from "./section";

export function AccountsSection() {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const providers = useQuery(configQuery).data?.oauth_providers ?? [];
  const accounts = useQuery({ queryKey: ["accounts"], queryFn: () => authCall(authClient.listAccounts(), t("common.error")) });
  const unlink = useMutation({
    mutationFn: (a: { providerId: string; accountId: string }) => authCall(authClient.unlinkAccount(a), t("common.error")),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["accounts"] }),
  });
  const link = useMutation({
    mutationFn: (provider: string) => authCall(authClient.linkSocial({ provider, callbackURL: `/${locale}/settings` }), t("common.error")),
  });
  const linked = accounts.data ?? [];
  const name = (id: string) => (id === "credential" ? t("settings.password") : providerName(id));
  return (
    <Section id="accounts" title={t("settings.accounts")} description={t("settings.accountsHelp")}>
      {accounts.isPending ? (
        <Loading rows={1} />
      ) : accounts.isError ? (
        <ErrorState error={accounts.error} retry={() => void accounts.refetch()} />
      ) : (
        <ul aria-label={t("settings.accounts")} className="divide-y">
          {linked.map((a) => (
            <li key={a.id} className="flex items-center justify-between gap-2 py-2 text-sm">
              <span>{name(a.providerId)}</span>
              {linked.length > 1 ? (
                <Button variant="outline" size="sm" disabled={unlink.isPending} onClick={() => unlink.mutate({ providerId: a.providerId, accountId: a.accountId })}>{t("settings.unlink")}</Button>
              ) : null}
            </li>
          ))}
          {providers.filter((p) => !linked.some((a) => a.providerId === p)).map((p) => (
            <li key={p} className="flex items-center justify-between gap-2 py-2 text-sm">
              <span className="text-muted-foreground">{providerName(p)}</span>
              <Button variant="outline" size="sm" disabled={link.isPending} onClick={() => link.mutate(p)}>{t("settings.link")}</Button>
            </li>
          ))}
        </ul>
      )}
      {unlink.error ?? link.error ? <Alert tone="error" className="mt-3">{errorText(unlink.error ?? link.error, t("common.error"))}</Alert> : null}
    </Section>
  );
}

export function DeleteAccountSection() {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [password, setPassword] = useState("");
  const remove = useMutation({
    mutationFn: () => authCall(authClient.deleteUser(password ? { password } : {}), t("common.error")),
    onSuccess: async () => {
      queryClient.clear();
      await navigate({ to: "/$locale/sign-in", params: { locale } });
    },
  });
  return (
    <Section id="delete" title={t("settings.delete")} description={t("settings.deleteHelp")}>
      <Dialog onOpenChange={() => { remove.reset(); setPassword(""); }}>
        <DialogTrigger asChild>
          <Button variant="destructive">{t("settings.delete")}</Button>
        </DialogTrigger>
        <DialogContent title={t("settings.deleteTitle")} description={t("settings.deleteHelp")}>
          <form className="flex flex-col gap-4" onSubmit={(e) => { e.preventDefault(); remove.mutate(); }}>
            <Field label={t("settings.currentPassword")} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
            {remove.error ? <Alert tone="error">{errorText(remove.error, t("common.error"))}</Alert> : null}
            <div className="flex justify-end gap-2">
              <DialogClose asChild><Button type="button" variant="outline">{t("common.cancel")}</Button></DialogClose>
              <Button type="submit" variant="destructive" disabled={remove.isPending}>{t("settings.deleteConfirm")}</Button>
            </div>
          </form>
        </DialogContent>
      </Dialog>
    </Section>
  );
}
