import { useMutation } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Field, formValues } from "../../components/form";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { AuthCard, authFailure } from "./auth-card";

export function ForgotPasswordPage() {
  const { t, locale } = useI18n();
  const request = useMutation({
    mutationFn: async (values: Record<string, string>) => {
      const { error } = await authClient.requestPasswordReset({
        email: values.email ?? "",
        redirectTo: `/${locale}/reset-password`,
      });
      if (error) throw authFailure(error, t("common.error"));
    },
  });
  return (
    <AuthCard title={t("auth.forgot.title")} description={t("auth.forgot.description")}>
      {request.isSuccess ? (
        <Alert tone="success">{t("auth.forgot.sent")}</Alert>
      ) : (
        <form
          className="flex flex-col gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            request.mutate(formValues(event.currentTarget));
          }}
        >
          <Field label={t("auth.email")} name="email" type="email" autoComplete="email" required />
          {request.error ? <Alert tone="error">{errorText(request.error, t("common.error"))}</Alert> : null}
          <Button type="submit" disabled={request.isPending}>
            {t("auth.forgot.submit")}
          </Button>
        </form>
      )}
      <Link to="/$locale/sign-in" params={{ locale }} className="text-sm text-primary underline underline-offset-4">
        {t("auth.backToSignIn")}
      </Link>
    </AuthCard>
  );
}
