import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ErrorState, Loading } from "../../components/states";
import { Alert } from "../../components/ui/alert";
import { Badge } from "../../components/ui/badge";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { sessionQuery } from "../../lib/session";
import { authCall, Section } from "./section";

/** "Chrome on Linux" from a user agent: enough to recognise a device, no library needed. */
export function describeDevice(agent: string, unknown: string): string {
  if (!agent) return unknown;
  const browser = /Edg\//.test(agent) ? "Edge" : /Firefox\//.test(agent) ? "Firefox" : /Chrome\//.test(agent) ? "Chrome" : /Safari\//.test(agent) ? "Safari" : /curl|node|python|httpx/i.test(agent) ? agent.split("/")[0]! : unknown;
  const system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS" : /Windows/.test(agent) ? "Windows" : /Mac OS X/.test(agent) ? "macOS" : /Linux/.test(agent) ? "Linux" : "";
  return system ? `${browser} · ${system}` : browser;
}

export function SessionsSection() {
  const { t, date } = useI18n();
  const queryClient = useQueryClient();
  const current = useQuery(sessionQuery).data?.session.token;
  const sessions = useQuery({
    queryKey: ["sessions"],
    queryFn: () => authCall(authClient.listSessions(), t("common.error")),
  });
  const done = () => queryClient.invalidateQueries({ queryKey: ["sessions"] });
  const revoke = useMutation({ mutationFn: (token: string) => authCall(authClient.revokeSession({ token }), t("common.error")), onSuccess: done });
  const revokeOthers = useMutation({ mutationFn: () => authCall(authClient.revokeOtherSessions(), t("common.error")), onSuccess: done });
  const error = revoke.error ?? revokeOthers.error;
  return (
    <Section id="sessions" title={t("settings.sessions")} description={t("settings.sessionsHelp")}>
      {sessions.isPending ? (
        <Loading rows={2} />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} retry={() => void sessions.refetch()} />
      ) : (
        <>
          <ul aria-label={t("settings.sessions")} className="divide-y">
            {[...(sessions.data ?? [])].sort((a, b) => Number(b.token === current) - Number(a.token === current)).map((s) => (
              <li key={s.id} className="flex flex-wrap items-center justify-between gap-2 py-3 text-sm">
                <div className="min-w-0">
                  <div className="flex flex-wrap items-center gap-2 font-medium">
                    {describeDevice(s.userAgent ?? "", t("settings.unknownDevice"))}
                    {s.token === current ? <Badge tone="info">{t("settings.thisDevice")}</Badge> : null}
                  </div>
                  <div className="text-xs text-muted-foreground">
                    {t("settings.sessionMeta", { ip: s.ipAddress || "—", when: date(s.updatedAt) })}
                  </div>
                </div>
                {s.token !== current ? (
                  <Button variant="outline" size="sm" disabled={revoke.isPending} onClick={() => revoke.mutate(s.token)}>{t("settings.revoke")}</Button>
                ) : null}
              </li>
            ))}
          </ul>
          {error ? <Alert tone="error" className="mt-3">{errorText(error, t("common.error"))}</Alert> : null}
          {(sessions.data?.length ?? 0) > 1 ? (
            <Button variant="outline" className="mt-3" disabled={revokeOthers.isPending} onClick={() => revokeOthers.mutate()}>{t("settings.revokeOthers")}</Button>
          ) : null}
        </>
      )}
    </Section>
  );
}
