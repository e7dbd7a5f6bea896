import { useQuery } from "@tanstack/react-query";
import { ErrorState, Loading, PageHeader } from "../../components/states";
import { Alert } from "../../components/ui/alert";
import { useI18n } from "../../lib/i18n";
import { meQuery } from "../../lib/session";
import { JobsCard } from "./jobs";
import { UsersCard } from "./users";

export function AdminPage() {
  const { t } = useI18n();
  const me = useQuery(meQuery);
  if (me.isPending) return <Loading rows={3} />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  return (
    <>
      <PageHeader title={t("admin.title")} />
      {!me.data.is_admin ? (
        <Alert tone="warning">{t("admin.only")}</Alert>
      ) : (
        <div className="flex flex-col gap-6">
          <JobsCard />
          <UsersCard />
        </div>
      )}
    </>
  );
}
