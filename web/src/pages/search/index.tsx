import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { Empty, ErrorState, Loading, PageHeader } from "../../components/states";
import { PassageDialog } from "../../components/passage";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Input } from "../../components/ui/input";
import { unwrap, api } from "../../lib/api";
import { useI18n } from "../../lib/i18n";
import { snippetParts } from "../../lib/snippet";

const route = getRouteApi("/$locale/app/search");

export function SearchPage() {
  const { t, locale } = useI18n();
  const { q } = route.useSearch();
  const navigate = useNavigate();
  const found = useQuery({
    queryKey: ["search", q],
    queryFn: () => unwrap(api.GET("/api/search", { params: { query: { q: q ?? "", limit: 20 } } })),
    enabled: Boolean(q),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title={t("search.title")} />
      <form
        role="search"
        className="mb-6 flex gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          const value = String(new FormData(event.currentTarget).get("q") ?? "").trim();
          void navigate({ to: "/$locale/search", params: { locale }, search: value ? { q: value } : {} });
        }}
      >
        <Input name="q" type="search" defaultValue={q ?? ""} key={q ?? ""} aria-label={t("search.query")} placeholder={t("search.placeholder")} maxLength={500} />
        <Button type="submit">{t("search.submit")}</Button>
      </form>
      {!q ? (
        <Empty title={t("search.hint")} />
      ) : found.isPending ? (
        <Loading rows={3} />
      ) : found.isError ? (
        <ErrorState error={found.error} retry={() => void found.refetch()} />
      ) : (
        <>
          {found.data.notices.map((notice) => (
            <Alert key={notice} tone="info" className="mb-3">{notice}</Alert>
          ))}
          {found.data.results.length === 0 ? (
            <Empty title={t("search.none", { q })} />
          ) : (
            <ol aria-label={t("search.results")} className="flex flex-col gap-3">
              {found.data.results.map((hit) => (
                <li key={hit.chunk_id} className="rounded-lg border bg-card p-4">
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <Link to="/$locale/documents/$documentId" params={{ locale, documentId: hit.document_id }} className="font-medium text-primary underline underline-offset-4">
                      {hit.document_title}
                    </Link>
                    <span className="text-xs text-muted-foreground">
                      {[hit.heading, hit.page_start ? t("search.page", { page: String(hit.page_start) }) : null].filter(Boolean).join(" · ")}
                    </span>
                  </div>
                  <p className="mt-2 text-sm">
                    {snippetParts(hit.snippet, hit.highlights).map((part, i) =>
                      part.marked ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
                    )}
                  </p>
                  <PassageDialog
                    chunkId={hit.chunk_id}
                    title={hit.document_title}
                    trigger={<Button variant="outline" size="sm" className="mt-2">{t("search.showPassage")}</Button>}
                  />
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </>
  );
}
