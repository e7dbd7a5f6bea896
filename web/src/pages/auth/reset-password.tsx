import { useMutation } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useState } from "react";
import { Field, formValues } from "../../components/form";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { AuthCard, authFailure } from "./auth-card";

const route = getRouteApi("/$locale/auth/reset-password");

/** Where the mailed reset link lands (via /api/auth/reset-password/{token}). */
export function ResetPasswordPage() {
  const { t, locale } = useI18n();
  const { token, error } = route.useSearch();
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: async (values: Record<string, string>) => {
      const { error: failure } = await authClient.resetPassword({ newPassword: values.password ?? "", token: token ?? "" });
      if (failure) throw authFailure(failure, t("common.error"));
    },
  });
  const signInLink = (
    <Link to="/$locale/sign-in" params={{ locale }} className="text-sm text-primary underline underline-offset-4">
      {t("auth.backToSignIn")}
    </Link>
  );
  if (!token || error) {
    return (
      <AuthCard title={t("auth.reset.title")}>
        <Alert tone="error">{t("auth.reset.invalid")}</Alert>
        <Link to="/$locale/forgot-password" params={{ locale }} className="text-sm text-primary underline underline-offset-4">
          {t("auth.reset.again")}
        </Link>
      </AuthCard>
    );
  }
  if (reset.isSuccess) {
    return (
      <AuthCard title={t("auth.reset.title")}>
        <Alert tone="success">{t("auth.reset.done")}</Alert>
        {signInLink}
      </AuthCard>
    );
  }
  return (
    <AuthCard title={t("auth.reset.title")} description={t("auth.reset.description")}>
      <form
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          const values = formValues(event.currentTarget);
          setMismatch(values.password !== values.confirm);
          if (values.password === values.confirm) reset.mutate(values);
        }}
      >
        <Field label={t("auth.newPassword")} name="password" type="password" autoComplete="new-password" required minLength={8} maxLength={128} hint={t("auth.passwordHint")} />
        <Field label={t("auth.confirmPassword")} name="confirm" type="password" autoComplete="new-password" required minLength={8} maxLength={128} />
        {mismatch ? <Alert tone="error">{t("auth.reset.mismatch")}</Alert> : null}
        {reset.error ? <Alert tone="error">{errorText(reset.error, t("common.error"))}</Alert> : null}
        <Button type="submit" disabled={reset.isPending}>
          {t("auth.reset.submit")}
        </Button>
      </form>
      {signInLink}
    </AuthCard>
  );
}
