import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Field, formValues } from "../../components/form";
import { Alert } from "../../components/ui/alert";
import { Badge } from "../../components/ui/badge";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { configQuery, sessionQuery } from "../../lib/session";
import { authCall, Section } from "./section";
import { TwoFactorSettings } from "./two-factor";

export function SecuritySection() {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const user = useQuery(sessionQuery).data?.user;
  const methods = useQuery(configQuery).data?.auth_methods;
  const [mismatch, setMismatch] = useState(false);
  const resend = useMutation({
    mutationFn: () => authCall(authClient.sendVerificationEmail({ email: user?.email ?? "", callbackURL: `/${locale}/verify-email` }), t("common.error")),
  });
  const changeEmail = useMutation({
    mutationFn: (newEmail: string) => authCall(authClient.changeEmail({ newEmail, callbackURL: `/${locale}/verify-email` }), t("common.error")),
  });
  const changePassword = useMutation({
    mutationFn: (v: Record<string, string>) =>
      authCall(authClient.changePassword({ currentPassword: v.current ?? "", newPassword: v.password ?? "", revokeOtherSessions: v.others === "on" }), t("common.error")),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["sessions"] }),
  });
  return (
    <Section id="security" title={t("settings.security")}>
      <div className="flex flex-col gap-6">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="break-all">{user?.email}</span>
          {user?.emailVerified ? <Badge tone="success">{t("settings.verified")}</Badge> : <Badge tone="warning">{t("settings.unverified")}</Badge>}
          {!user?.emailVerified ? (
            <Button variant="outline" size="sm" disabled={resend.isPending || resend.isSuccess} onClick={() => resend.mutate()}>
              {resend.isSuccess ? t("auth.verify.sent") : t("auth.verify.resend")}
            </Button>
          ) : null}
        </div>
        {resend.error ? <Alert tone="error">{errorText(resend.error, t("common.error"))}</Alert> : null}
        <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); changeEmail.mutate(formValues(e.currentTarget).email ?? ""); }}>
          <h3 className="font-medium">{t("settings.changeEmail")}</h3>
          <Field label={t("settings.newEmail")} name="email" type="email" required autoComplete="email" />
          {changeEmail.error ? <Alert tone="error">{errorText(changeEmail.error, t("common.error"))}</Alert> : null}
          {changeEmail.isSuccess ? <Alert tone="success">{t("settings.emailSent")}</Alert> : null}
          <Button type="submit" variant="outline" className="self-start" disabled={changeEmail.isPending}>{t("settings.changeEmail")}</Button>
        </form>
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            const v = formValues(e.currentTarget);
            setMismatch(v.password !== v.confirm);
            if (v.password === v.confirm) changePassword.mutate(v, { onSuccess: () => (e.target as HTMLFormElement).reset() });
          }}
        >
          <h3 className="font-medium">{t("settings.changePassword")}</h3>
          <Field label={t("settings.currentPassword")} name="current" type="password" required autoComplete="current-password" />
          <Field label={t("auth.newPassword")} name="password" type="password" required minLength={8} maxLength={128} autoComplete="new-password" />
          <Field label={t("auth.confirmPassword")} name="confirm" type="password" required minLength={8} maxLength={128} autoComplete="new-password" />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="others" defaultChecked className="size-4" /> {t("settings.signOutOthers")}
          </label>
          {mismatch ? <Alert tone="error">{t("auth.reset.mismatch")}</Alert> : null}
          {changePassword.error ? <Alert tone="error">{errorText(changePassword.error, t("common.error"))}</Alert> : null}
          {changePassword.isSuccess ? <Alert tone="success">{t("settings.passwordChanged")}</Alert> : null}
          <Button type="submit" variant="outline" className="self-start" disabled={changePassword.isPending}>{t("settings.changePassword")}</Button>
        </form>
        {methods?.two_factor ? <TwoFactorSettings /> : null}
      </div>
    </Section>
  );
}
