import { getRouteApi, Link } from "@tanstack/react-router";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "../../components/states";
import { useI18n } from "../../lib/i18n";
import { ConversationList } from "./conversation-list";
import { Thread } from "./thread";

const threadRoute = getRouteApi("/$locale/app/chat/$conversationId");

export function ChatPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("chat.title")} />
      <div className="grid grid-cols-1 gap-6 md:grid-cols-[16rem_1fr]">
        <ConversationList />
        <p className="hidden text-sm text-muted-foreground md:block">{t("chat.pick")}</p>
      </div>
    </>
  );
}

export function ConversationPage() {
  const { t, locale } = useI18n();
  const { conversationId } = threadRoute.useParams();
  return (
    <>
      <div className="mb-4 md:hidden">
        <Link to="/$locale/chat" params={{ locale }} className="inline-flex items-center gap-1 text-sm text-primary underline">
          <ArrowLeft aria-hidden="true" className="size-4" /> {t("chat.all")}
        </Link>
      </div>
      <h1 className="sr-only">{t("chat.title")}</h1>
      <div className="grid grid-cols-1 gap-6 md:grid-cols-[16rem_1fr]">
        <div className="hidden md:block">
          <ConversationList activeId={conversationId} />
        </div>
        <Thread key={conversationId} conversationId={conversationId} />
      </div>
    </>
  );
}
