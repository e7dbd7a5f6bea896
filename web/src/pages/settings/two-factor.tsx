import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CopyButton } from "../../components/copy-button";
import { Field, formValues } from "../../components/form";
import { QrCode } from "../../components/qr-code";
import { Alert } from "../../components/ui/alert";
import { Badge } from "../../components/ui/badge";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { sessionQuery } from "../../lib/session";
import { authCall } from "./section";

type Setup = { totpURI: string; backupCodes: string[] };

/** The secret inside an otpauth:// URI, for typing into an app that cannot scan. */
function secretOf(uri: string): string {
  try {
    return new URL(uri).searchParams.get("secret") ?? "";
  } catch {
    return "";
  }
}

/** Two-factor: enable (QR + backup codes, shown once) → confirm a first code; or disable. */
export function TwoFactorSettings() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const user = useQuery(sessionQuery).data?.user as { twoFactorEnabled?: boolean | null } | undefined;
  const [setup, setSetup] = useState<Setup | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["session"] });
  const enable = useMutation({
    mutationFn: (password: string) => authCall(authClient.twoFactor.enable({ password }), t("common.error")),
    onSuccess: (data) => setSetup(data && "totpURI" in data ? { totpURI: data.totpURI, backupCodes: data.backupCodes } : null),
  });
  const confirm = useMutation({
    mutationFn: (code: string) => authCall(authClient.twoFactor.verifyTotp({ code }), t("common.error")),
    onSuccess: async () => {
      setSetup(null);
      await refresh();
    },
  });
  const disable = useMutation({
    mutationFn: (password: string) => authCall(authClient.twoFactor.disable({ password }), t("common.error")),
    onSuccess: refresh,
  });
  const enabled = Boolean(user?.twoFactorEnabled);
  return (
    <div className="flex flex-col gap-3">
      <h3 className="flex items-center gap-2 font-medium">
        {t("settings.twoFactor.title")}
        {enabled ? <Badge tone="success">{t("settings.twoFactor.on")}</Badge> : <Badge>{t("settings.twoFactor.off")}</Badge>}
      </h3>
      {confirm.isSuccess ? <Alert tone="success">{t("settings.twoFactor.enabled")}</Alert> : null}
      {setup ? (
        <div className="flex flex-col gap-3">
          <p className="text-sm">{t("settings.twoFactor.scan")}</p>
          <QrCode text={setup.totpURI} label={t("settings.twoFactor.qr")} />
          <p className="text-sm">
            {t("settings.twoFactor.secret")} <code className="break-all font-mono" data-testid="totp-secret">{secretOf(setup.totpURI)}</code>
          </p>
          <p className="text-sm">{t("settings.twoFactor.backupCodes")}</p>
          <ul aria-label={t("settings.twoFactor.backupList")} className="grid grid-cols-2 gap-1 font-mono text-sm sm:grid-cols-5">
            {setup.backupCodes.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ul>
          <CopyButton text={setup.backupCodes.join("\n")} label={t("settings.twoFactor.copyCodes")} />
          <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); confirm.mutate((formValues(e.currentTarget).code ?? "").trim()); }}>
            <Field label={t("auth.twoFactor.totp.label")} name="code" required inputMode="numeric" autoComplete="one-time-code" />
            {confirm.error ? <Alert tone="error">{errorText(confirm.error, t("common.error"))}</Alert> : null}
            <Button type="submit" className="self-start" disabled={confirm.isPending}>{t("settings.twoFactor.confirm")}</Button>
          </form>
        </div>
      ) : (
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            const password = formValues(e.currentTarget).password ?? "";
            (enabled ? disable : enable).mutate(password, { onSuccess: () => (e.target as HTMLFormElement).reset() });
          }}
        >
          <p className="text-sm text-muted-foreground">{enabled ? t("settings.twoFactor.disableHint") : t("settings.twoFactor.enableHint")}</p>
          <Field label={t("settings.twoFactor.password")} name="password" type="password" required autoComplete="current-password" />
          {(enabled ? disable : enable).error ? <Alert tone="error">{errorText((enabled ? disable : enable).error, t("common.error"))}</Alert> : null}
          <Button type="submit" variant="outline" className="self-start" disabled={enable.isPending || disable.isPending}>
            {enabled ? t("settings.twoFactor.disable") : t("settings.twoFactor.enable")}
          </Button>
        </form>
      )}
    </div>
  );
}
