import { useMutation, useQuery } from "@tanstack/react-query";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { configQuery } from "../../lib/session";
import { authFailure } from "./auth-card";

const NAMES: Record<string, string> = { github: "GitHub", google: "Google" };
export const providerName = (id: string) => NAMES[id] ?? id.charAt(0).toUpperCase() + id.slice(1);

/** One button per OAuth provider the server has configured; none when there are none. */
export function OAuthButtons({ callbackURL }: { callbackURL: string }) {
  const { t, locale } = useI18n();
  const providers = useQuery(configQuery).data?.oauth_providers ?? [];
  const start = useMutation({
    mutationFn: async (provider: string) => {
      const { error } = await authClient.signIn.social({
        provider,
        callbackURL,
        errorCallbackURL: `/${locale}/sign-in`,
      });
      if (error) throw authFailure(error, t("common.error"));
    },
  });
  if (providers.length === 0) return null;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-center gap-2 text-xs text-muted-foreground">
        <span className="h-px flex-1 bg-border" /> {t("auth.or")} <span className="h-px flex-1 bg-border" />
      </div>
      {providers.map((id) => (
        <Button key={id} variant="outline" disabled={start.isPending} onClick={() => start.mutate(id)}>
          {t("auth.continueWith", { provider: providerName(id) })}
        </Button>
      ))}
      {start.error ? <Alert tone="error">{errorText(start.error, t("common.error"))}</Alert> : null}
    </div>
  );
}
