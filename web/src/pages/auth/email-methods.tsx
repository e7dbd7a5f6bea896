import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { Field } from "../../components/form";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { configQuery } from "../../lib/session";
import { authFailure } from "./auth-card";

/** Sign-in without a password: a mailed one-time code or a mailed link, when they are on. */
export function EmailMethods({ email, target }: { email: string; target: string }) {
  const { t } = useI18n();
  const methods = useQuery(configQuery).data?.auth_methods;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [missing, setMissing] = useState(false);
  const [code, setCode] = useState("");
  const sendCode = useMutation({
    mutationFn: async () => {
      const { error } = await authClient.emailOtp.sendVerificationOtp({ email, type: "sign-in" });
      if (error) throw authFailure(error, t("common.error"));
    },
  });
  const verifyCode = useMutation({
    mutationFn: async () => {
      const { error } = await authClient.signIn.emailOtp({ email, otp: code.trim() });
      if (error) throw authFailure(error, t("common.error"));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries();
      await navigate({ href: target });
    },
  });
  const sendLink = useMutation({
    mutationFn: async () => {
      const { error } = await authClient.signIn.magicLink({ email, callbackURL: target });
      if (error) throw authFailure(error, t("common.error"));
    },
  });
  if (!methods || (!methods.email_otp && !methods.magic_link)) return null;
  const needEmail = (run: () => void) => () => {
    setMissing(!email);
    if (email) run();
  };
  const failure = sendCode.error ?? verifyCode.error ?? sendLink.error;
  return (
    <div className="flex flex-col gap-3 border-t pt-4">
      <p className="text-sm text-muted-foreground">{t("auth.otp.intro")}</p>
      <div className="flex flex-wrap gap-2">
        {methods.email_otp ? (
          <Button type="button" variant="outline" disabled={sendCode.isPending} onClick={needEmail(() => sendCode.mutate())}>
            {t("auth.otp.send")}
          </Button>
        ) : null}
        {methods.magic_link ? (
          <Button type="button" variant="outline" disabled={sendLink.isPending} onClick={needEmail(() => sendLink.mutate())}>
            {t("auth.magic.send")}
          </Button>
        ) : null}
      </div>
      {missing ? <Alert tone="error">{t("auth.otp.needEmail")}</Alert> : null}
      {sendLink.isSuccess ? <Alert tone="success">{t("auth.magic.sent")}</Alert> : null}
      {sendCode.isSuccess ? (
        <form
          className="flex flex-col gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            verifyCode.mutate();
          }}
        >
          <Alert tone="success">{t("auth.otp.sent")}</Alert>
          <Field label={t("auth.otp.code")} name="otp" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
          <Button type="submit" disabled={verifyCode.isPending}>{t("auth.otp.submit")}</Button>
        </form>
      ) : null}
      {failure ? <Alert tone="error">{errorText(failure, t("common.error"))}</Alert> : null}
    </div>
  );
}
