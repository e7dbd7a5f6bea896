import { useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useEffect } from "react";
import { Alert } from "../../components/ui/alert";
import { useI18n } from "../../lib/i18n";
import { sessionQuery } from "../../lib/session";
import { AuthCard } from "./auth-card";

const route = getRouteApi("/$locale/auth/verify-email");

/** Where the mailed verification link lands once the server has checked the token. */
export function VerifyEmailPage() {
  const { t, locale } = useI18n();
  const { error } = route.useSearch();
  const queryClient = useQueryClient();
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: ["session"] });
    void queryClient.invalidateQueries({ queryKey: ["me"] });
  }, [queryClient]);
  const session = useQuery(sessionQuery).data;
  return (
    <AuthCard title={t("auth.verify.title")}>
      {error ? <Alert tone="error">{t("auth.verify.invalid")}</Alert> : <Alert tone="success">{t("auth.verify.done")}</Alert>}
      {session ? (
        <Link to="/$locale/dashboard" params={{ locale }} className="text-sm text-primary underline underline-offset-4">
          {t("auth.verify.continue")}
        </Link>
      ) : (
        <Link to="/$locale/sign-in" params={{ locale }} className="text-sm text-primary underline underline-offset-4">
          {t("auth.backToSignIn")}
        </Link>
      )}
    </AuthCard>
  );
}
