import { useMutation, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { Field, formValues } from "../../components/form";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { authClient, twoFactorStep } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { AuthCard, authFailure } from "./auth-card";
import { EmailMethods } from "./email-methods";
import { OAuthButtons } from "./oauth-buttons";

const route = getRouteApi("/$locale/auth/sign-in");

export function SignInPage() {
  const { t, locale } = useI18n();
  const { redirect } = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const target = redirect ?? `/${locale}/dashboard`;
  const signIn = useMutation({
    mutationFn: async (values: Record<string, string>) => {
      // A second factor is due: the client plugin calls this before answering.
      twoFactorStep.go = (methods) =>
        void navigate({ to: "/$locale/two-factor", params: { locale }, search: { methods: methods.join(","), ...(redirect ? { redirect } : {}) } });
      const { data, error } = await authClient.signIn.email({
        email: values.email ?? "",
        password: values.password ?? "",
        rememberMe: values.remember === "on",
      });
      if (error) throw authFailure(error, t("common.error"));
      return data !== null && "twoFactorRedirect" in data && Boolean(data.twoFactorRedirect);
    },
    onSuccess: async (secondStep) => {
      if (secondStep) return;
      await queryClient.invalidateQueries();
      await navigate({ href: target });
    },
  });
  const resend = useMutation({
    mutationFn: async () => {
      const { error } = await authClient.sendVerificationEmail({ email, callbackURL: `/${locale}/verify-email` });
      if (error) throw authFailure(error, t("common.error"));
    },
  });
  const unverified = (signIn.error as { code?: string } | null)?.code === "EMAIL_NOT_VERIFIED";
  return (
    <AuthCard title={t("auth.signIn.title")} description={t("auth.signIn.description")}>
      {redirect ? <Alert tone="info">{t("auth.signIn.expired")}</Alert> : null}
      <form
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          signIn.mutate(formValues(event.currentTarget));
        }}
      >
        <Field label={t("auth.email")} name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label={t("auth.password")} name="password" type="password" autoComplete="current-password" required />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="remember" defaultChecked className="size-4" /> {t("auth.rememberMe")}
        </label>
        {signIn.error ? <Alert tone="error">{errorText(signIn.error, t("common.error"))}</Alert> : null}
        {unverified ? (
          <Button type="button" variant="outline" disabled={resend.isPending || resend.isSuccess} onClick={() => resend.mutate()}>
            {resend.isSuccess ? t("auth.verify.sent") : t("auth.verify.resend")}
          </Button>
        ) : null}
        <Button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? t("auth.signIn.pending") : t("auth.signIn.submit")}
        </Button>
      </form>
      <EmailMethods email={email} target={target} />
      <OAuthButtons callbackURL={target} />
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <Link to="/$locale/forgot-password" params={{ locale }} className="text-primary underline underline-offset-4">
          {t("auth.forgot.link")}
        </Link>
        <Link to="/$locale/sign-up" params={{ locale }} search={redirect ? { redirect } : {}} className="text-primary underline underline-offset-4">
          {t("auth.signUp.link")}
        </Link>
      </div>
    </AuthCard>
  );
}
