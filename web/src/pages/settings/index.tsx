import { useQuery } from "@tanstack/react-query";
import { PageHeader } from "../../components/states";
import { useI18n } from "../../lib/i18n";
import { configQuery } from "../../lib/session";
import { AccountsSection, DeleteAccountSection } from "./accounts";
import { ApiKeysSection } from "./api-keys";
import { PreferencesSection, ProfileSection } from "./profile";
import { SecuritySection } from "./security";
import { SessionsSection } from "./sessions";

const SECTIONS = ["profile", "preferences", "security", "sessions", "apiKeys", "accounts", "delete"] as const;

export function SettingsPage() {
  const { t } = useI18n();
  const methods = useQuery(configQuery).data?.auth_methods;
  return (
    <>
      <PageHeader title={t("settings.title")} />
      <nav aria-label={t("settings.sections")} className="mb-6 flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {SECTIONS.map((id) => (
          <a key={id} href={`#${id === "apiKeys" ? "api-keys" : id}`} className="text-primary underline underline-offset-4">
            {t(`settings.${id}`)}
          </a>
        ))}
      </nav>
      <div className="flex flex-col gap-6">
        <ProfileSection />
        <PreferencesSection />
        <SecuritySection />
        <SessionsSection />
        {methods?.api_keys ? <ApiKeysSection /> : null}
        <AccountsSection />
        <DeleteAccountSection />
      </div>
    </>
  );
}
