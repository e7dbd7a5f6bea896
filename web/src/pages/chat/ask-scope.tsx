import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PassageDialog } from "../../components/passage";
import { Button } from "../../components/ui/button";
import { api, unwrap } from "../../lib/api";
import { useI18n } from "../../lib/i18n";

export const attachmentsKey = (conversationId: string) => ["attachments", conversationId] as const;
export const citationsKey = (conversationId: string) => ["citations", conversationId] as const;

export function useAttachments(conversationId: string) {
  return useQuery({
    queryKey: attachmentsKey(conversationId),
    queryFn: () => unwrap(api.GET("/api/conversations/{conversation_id}/documents", { params: { path: { conversation_id: conversationId } } })),
  });
}

/** Which documents the answers come from, and a way back to all of them. */
export function AskScope({ conversationId }: { conversationId: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const scope = useAttachments(conversationId).data;
  const all = useMutation({
    mutationFn: () => unwrap(api.PUT("/api/conversations/{conversation_id}/documents", { params: { path: { conversation_id: conversationId } }, body: { document_ids: null } })),
    onSuccess: (data) => queryClient.setQueryData(attachmentsKey(conversationId), data),
  });
  if (!scope) return null;
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
      <span>
        {scope.all_documents ? t("ask.scopeAll") : t("ask.scopeSome", { titles: scope.documents.map((d) => d.title).join(", ") })}
      </span>
      {!scope.all_documents ? (
        <Button type="button" variant="ghost" size="sm" disabled={all.isPending} onClick={() => all.mutate()}>{t("ask.useAll")}</Button>
      ) : null}
    </div>
  );
}

type Citation = { message_id: string; number: number; document_title: string; chunk_id: string | null; page_start: number | null };

/** The sources of one answer: each opens the passage it was grounded on. */
export function Citations({ items }: { items: Citation[] }) {
  const { t } = useI18n();
  if (!items.length) return null;
  return (
    <ol aria-label={t("ask.sources")} className="mt-1 flex flex-wrap gap-1">
      {items.map((c) => {
        const label = `[${c.number}] ${c.document_title}${c.page_start ? ` · ${t("search.page", { page: String(c.page_start) })}` : ""}`;
        return (
          <li key={c.number}>
            {c.chunk_id ? (
              <PassageDialog chunkId={c.chunk_id} title={c.document_title} trigger={<Button variant="outline" size="sm">{label}</Button>} />
            ) : (
              <span className="text-xs text-muted-foreground">{label}</span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
