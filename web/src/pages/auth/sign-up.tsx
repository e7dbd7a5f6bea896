import { useMutation, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { Field, formValues } from "../../components/form";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { AuthCard, authFailure } from "./auth-card";
import { OAuthButtons } from "./oauth-buttons";

const route = getRouteApi("/$locale/auth/sign-up");

export function SignUpPage() {
  const { t, locale } = useI18n();
  const { redirect } = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const target = redirect ?? `/${locale}/dashboard`;
  const signUp = useMutation({
    mutationFn: async (values: Record<string, string>) => {
      const { data, error } = await authClient.signUp.email({
        name: values.name ?? "",
        email: values.email ?? "",
        password: values.password ?? "",
        callbackURL: `/${locale}/verify-email`,
      });
      if (error) throw authFailure(error, t("common.error"));
      return data;
    },
    onSuccess: async (data) => {
      await queryClient.invalidateQueries();
      if (data?.token) await navigate({ href: target });
    },
  });
  if (signUp.isSuccess && !signUp.data?.token) {
    return (
      <AuthCard title={t("auth.signUp.checkMail")}>
        <Alert tone="success">{t("auth.signUp.checkMailBody")}</Alert>
        <Link to="/$locale/sign-in" params={{ locale }} className="text-sm text-primary underline">
          {t("auth.signIn.link")}
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title={t("auth.signUp.title")} description={t("auth.signUp.description")}>
      <form
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          signUp.mutate(formValues(event.currentTarget));
        }}
      >
        <Field label={t("auth.name")} name="name" autoComplete="name" required maxLength={100} />
        <Field label={t("auth.email")} name="email" type="email" autoComplete="email" required />
        <Field
          label={t("auth.password")}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={128}
          hint={t("auth.passwordHint")}
        />
        {signUp.error ? <Alert tone="error">{errorText(signUp.error, t("common.error"))}</Alert> : null}
        <Button type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? t("auth.signUp.pending") : t("auth.signUp.submit")}
        </Button>
      </form>
      <OAuthButtons callbackURL={target} />
      <p className="text-sm">
        {t("auth.signUp.haveAccount")}{" "}
        <Link to="/$locale/sign-in" params={{ locale }} search={redirect ? { redirect } : {}} className="text-primary underline underline-offset-4">
          {t("auth.signIn.link")}
        </Link>
      </p>
    </AuthCard>
  );
}
