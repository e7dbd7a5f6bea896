import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useRouterState } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { Field } from "../../components/form";
import { LOCALE_NAMES } from "../../components/preferences-bar";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { NativeSelect } from "../../components/ui/input";
import { Label } from "../../components/ui/label";
import { api, unwrap } from "../../lib/api";
import { authClient } from "../../lib/auth-client";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { LOCALES, isLocale, switchLocalePath } from "../../lib/locales";
import { modelsQuery } from "../../lib/queries";
import { meQuery, sessionQuery } from "../../lib/session";
import { authCall, Section } from "./section";

const TONES = ["professional", "friendly", "casual", "concise", "formal"] as const;

export function ProfileSection() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const session = useQuery(sessionQuery).data;
  const [name, setName] = useState(session?.user.name ?? "");
  const save = useMutation({
    mutationFn: () => authCall(authClient.updateUser({ name }), t("common.error")),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["session"] });
      await queryClient.invalidateQueries({ queryKey: ["me"] });
    },
  });
  return (
    <Section id="profile" title={t("settings.profile")}>
      <form className="flex flex-col gap-4" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <Field label={t("auth.name")} value={name} onChange={(e) => { setName(e.target.value); save.reset(); }} required maxLength={100} autoComplete="name" />
        {save.error ? <Alert tone="error">{errorText(save.error, t("common.error"))}</Alert> : null}
        {save.isSuccess ? <Alert tone="success">{t("settings.saved")}</Alert> : null}
        <Button type="submit" className="self-start" disabled={save.isPending || !name.trim()}>{t("common.save")}</Button>
      </form>
    </Section>
  );
}

export function PreferencesSection() {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const href = useRouterState({ select: (s) => s.location.href });
  const me = useQuery(meQuery).data;
  const models = (useQuery(modelsQuery).data ?? []).filter((m) => !me || m.plans.includes(me.plan));
  const [values, setValues] = useState({ default_model: "", output_tone: "", marketing_opt_in: false, preferred_locale: locale as string });
  useEffect(() => {
    if (me) setValues({ default_model: me.profile.default_model, output_tone: me.profile.output_tone, marketing_opt_in: me.profile.marketing_opt_in, preferred_locale: isLocale(me.profile.preferred_locale) ? me.profile.preferred_locale : locale });
  }, [me, locale]);
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH("/api/me/profile", { body: values })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["me"] });
      if (isLocale(values.preferred_locale) && values.preferred_locale !== locale) {
        await navigate({ href: switchLocalePath(href, values.preferred_locale) }); // the UI follows at once
      }
    },
  });
  const set = <K extends keyof typeof values>(key: K, value: (typeof values)[K]) => {
    save.reset();
    setValues((v) => ({ ...v, [key]: value }));
  };
  return (
    <Section id="preferences" title={t("settings.preferences")}>
      <form className="grid grid-cols-1 gap-4 sm:grid-cols-2" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="pref-locale">{t("settings.locale")}</Label>
          <NativeSelect id="pref-locale" value={values.preferred_locale} onChange={(e) => set("preferred_locale", e.target.value)}>
            {LOCALES.map((code) => <option key={code} value={code}>{LOCALE_NAMES[code]}</option>)}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="pref-model">{t("settings.defaultModel")}</Label>
          <NativeSelect id="pref-model" value={values.default_model} onChange={(e) => set("default_model", e.target.value)}>
            {models.map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="pref-tone">{t("tasks.tone")}</Label>
          <NativeSelect id="pref-tone" value={values.output_tone} onChange={(e) => set("output_tone", e.target.value)}>
            {TONES.map((x) => <option key={x} value={x}>{t(`tone.${x}`)}</option>)}
          </NativeSelect>
        </div>
        <label className="flex items-center gap-2 self-end text-sm">
          <input type="checkbox" className="size-4" checked={values.marketing_opt_in} onChange={(e) => set("marketing_opt_in", e.target.checked)} />
          {t("settings.marketing")}
        </label>
        {save.error ? <Alert tone="error" className="sm:col-span-2">{errorText(save.error, t("common.error"))}</Alert> : null}
        {save.isSuccess ? <Alert tone="success" className="sm:col-span-2">{t("settings.saved")}</Alert> : null}
        <Button type="submit" className="self-start" disabled={save.isPending || !me}>{t("common.save")}</Button>
      </form>
    </Section>
  );
}
