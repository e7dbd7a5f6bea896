import { useMutation, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { Field, formValues } from "../../components/form";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { AuthCard, authFailure } from "./auth-card";

const route = getRouteApi("/$locale/auth/two-factor");
type Method = "totp" | "otp" | "backup";

/** The second step of a password sign-in: an authenticator code, a mailed code or a backup code. */
export function TwoFactorPage() {
  const { t, locale } = useI18n();
  const { methods, redirect } = route.useSearch();
  const offered: Method[] = [...(methods.includes("totp") ? (["totp"] as const) : []), "otp", "backup"];
  const [method, setMethod] = useState<Method>(offered[0] ?? "otp");
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const sendOtp = useMutation({
    mutationFn: async () => {
      const { error } = await authClient.twoFactor.sendOtp();
      if (error) throw authFailure(error, t("common.error"));
    },
  });
  const verify = useMutation({
    mutationFn: async (values: Record<string, string>) => {
      const code = (values.code ?? "").trim();
      const trustDevice = values.trust === "on";
      const { error } =
        method === "totp"
          ? await authClient.twoFactor.verifyTotp({ code, trustDevice })
          : method === "otp"
            ? await authClient.twoFactor.verifyOtp({ code, trustDevice })
            : await authClient.twoFactor.verifyBackupCode({ code, trustDevice });
      if (error) throw authFailure(error, t("common.error"));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries();
      await navigate({ href: redirect ?? `/${locale}/dashboard` });
    },
  });
  return (
    <AuthCard title={t("auth.twoFactor.title")} description={t(`auth.twoFactor.${method}.description`)}>
      <div role="group" aria-label={t("auth.twoFactor.method")} className="flex flex-wrap gap-2">
        {offered.map((m) => (
          <Button key={m} type="button" size="sm" variant={m === method ? "default" : "outline"} aria-pressed={m === method} onClick={() => { setMethod(m); verify.reset(); }}>
            {t(`auth.twoFactor.${m}.name`)}
          </Button>
        ))}
      </div>
      {method === "otp" ? (
        <Button type="button" variant="outline" disabled={sendOtp.isPending} onClick={() => sendOtp.mutate()}>
          {sendOtp.isSuccess ? t("auth.twoFactor.otp.resend") : t("auth.twoFactor.otp.send")}
        </Button>
      ) : null}
      {sendOtp.isSuccess && method === "otp" ? <Alert tone="success">{t("auth.otp.sent")}</Alert> : null}
      {sendOtp.error ? <Alert tone="error">{errorText(sendOtp.error, t("common.error"))}</Alert> : null}
      <form
        key={method}
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          verify.mutate(formValues(event.currentTarget));
        }}
      >
        <Field
          label={t(`auth.twoFactor.${method}.label`)}
          name="code"
          required
          autoComplete="one-time-code"
          inputMode={method === "backup" ? "text" : "numeric"}
        />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="trust" className="size-4" /> {t("auth.twoFactor.trust")}
        </label>
        {verify.error ? <Alert tone="error">{errorText(verify.error, t("common.error"))}</Alert> : null}
        <Button type="submit" disabled={verify.isPending}>{t("auth.twoFactor.submit")}</Button>
      </form>
      <Link to="/$locale/sign-in" params={{ locale }} className="text-sm text-primary underline underline-offset-4">
        {t("auth.twoFactor.back")}
      </Link>
    </AuthCard>
  );
}
