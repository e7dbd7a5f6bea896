import { PageHeader } from "../../components/states";
import { useI18n } from "../../lib/i18n";
import { AccountsSection, DeleteAccountSection } from "./accounts";
import { PreferencesSection, ProfileSection } from "./profile";
import { SecuritySection } from "./security";
import { SessionsSection } from "./sessions";

const SECTIONS = ["profile", "preferences", "security", "sessions", "accounts", "delete"] as const;

export function SettingsPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("settings.title")} />
      <nav aria-label={t("settings.sections")} className="mb-6 flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {SECTIONS.map((id) => (
          <a key={id} href={`#${id}`} className="text-primary underline underline-offset-4">
            {t(`settings.${id}`)}
          </a>
        ))}
      </nav>
      <div className="flex flex-col gap-6">
        <ProfileSection />
        <PreferencesSection />
        <SecuritySection />
        <SessionsSection />
        <AccountsSection />
        <DeleteAccountSection />
      </div>
    </>
  );
}
