import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { unwrap, api } from "../lib/api";
import { useI18n } from "../lib/i18n";
import { ErrorState, Loading } from "./states";
import { Dialog, DialogContent, DialogTrigger } from "./ui/dialog";

function PassageBody({ chunkId }: { chunkId: string }) {
  const { t, locale } = useI18n();
  const chunk = useQuery({
    queryKey: ["chunk", chunkId],
    queryFn: () => unwrap(api.GET("/api/search/chunks/{chunk_id}", { params: { path: { chunk_id: chunkId } } })),
    staleTime: Infinity,
  });
  if (chunk.isPending) return <Loading rows={3} />;
  if (chunk.isError) return <ErrorState error={chunk.error} retry={() => void chunk.refetch()} />;
  const c = chunk.data;
  return (
    <div className="flex flex-col gap-3 text-sm">
      <p className="text-muted-foreground">
        {[c.heading, c.page_start ? t("search.page", { page: String(c.page_start) }) : null].filter(Boolean).join(" · ")}
      </p>
      <blockquote className="max-h-80 overflow-y-auto border-l-4 pl-3 whitespace-pre-wrap">{c.content}</blockquote>
      <Link to="/$locale/documents/$documentId" params={{ locale, documentId: c.document_id }} className="text-primary underline underline-offset-4">
        {t("search.openDocument", { title: c.document_title })}
      </Link>
    </div>
  );
}

/** A button that opens one passage (a search hit or a citation) in full, fetched on open. */
export function PassageDialog({ chunkId, title, trigger }: { chunkId: string; title: string; trigger: ReactNode }) {
  return (
    <Dialog>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} className="max-w-2xl">
        <PassageBody chunkId={chunkId} />
      </DialogContent>
    </Dialog>
  );
}
