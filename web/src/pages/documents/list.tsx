import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import { Empty, ErrorState, Loading, PageHeader } from "../../components/states";
import { StatusBadge } from "../../components/status-badge";
import { Button } from "../../components/ui/button";
import { Input, NativeSelect } from "../../components/ui/input";
import { Label } from "../../components/ui/label";
import { api, unwrap } from "../../lib/api";
import { useI18n } from "../../lib/i18n";
import { UploadZone } from "./upload-zone";

const route = getRouteApi("/$locale/app/documents");
const PAGE_SIZE = 20;
const STATUSES = ["uploaded", "processed", "failed"] as const;
const SORTS = ["newest", "title", "size"] as const;

export function DocumentsPage() {
  const { t, locale, date, bytes } = useI18n();
  const search = route.useSearch();
  const navigate = useNavigate({ from: "/$locale/documents" });
  const [text, setText] = useState(search.q ?? "");
  const status = STATUSES.find((s) => s === search.status);
  const cursor = search.cursor;
  useEffect(() => {
    const timer = setTimeout(() => {
      if ((search.q ?? "") !== text.trim()) void navigate({ search: (s) => ({ ...s, q: text.trim() || undefined, cursor: undefined }), replace: true });
    }, 300);
    return () => clearTimeout(timer);
  }, [text, search.q, navigate]);

  const documents = useQuery({
    queryKey: ["documents", "list", search.q ?? "", status ?? "", cursor ?? ""],
    queryFn: () =>
      unwrap(
        api.GET("/api/documents", {
          params: { query: { limit: PAGE_SIZE, ...(search.q ? { q: search.q } : {}), ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
    // live status: poll while something is still being processed (paused when the tab is hidden)
    refetchInterval: (query) => (query.state.data?.items.some((d) => d.status === "uploaded") ? 1500 : false),
  });
  const sort = SORTS.find((s) => s === search.sort) ?? "newest";
  const items = useMemo(() => {
    const list = [...(documents.data?.items ?? [])];
    if (sort === "title") list.sort((a, b) => a.title.localeCompare(b.title, locale));
    if (sort === "size") list.sort((a, b) => b.size_bytes - a.size_bytes);
    return list;
  }, [documents.data, sort, locale]);

  return (
    <>
      <PageHeader title={t("documents.title")} />
      <UploadZone />
      <div className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-[1fr_12rem_12rem]">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="doc-search">{t("documents.search")}</Label>
          <Input id="doc-search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t("documents.searchPlaceholder")} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="doc-status">{t("documents.status")}</Label>
          <NativeSelect
            id="doc-status"
            value={status ?? ""}
            onChange={(e) => void navigate({ search: (s) => ({ ...s, status: e.target.value || undefined, cursor: undefined }) })}
          >
            <option value="">{t("documents.allStatuses")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="doc-sort">{t("documents.sort")}</Label>
          <NativeSelect id="doc-sort" value={sort} onChange={(e) => void navigate({ search: (s) => ({ ...s, sort: e.target.value === "newest" ? undefined : e.target.value }) })}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`documents.sort.${s}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
      </div>
      {documents.isPending ? (
        <Loading rows={5} />
      ) : documents.isError ? (
        <ErrorState error={documents.error} retry={() => void documents.refetch()} />
      ) : items.length === 0 ? (
        <Empty title={search.q || status ? t("documents.noMatch") : t("documents.empty")} />
      ) : (
        <table className="w-full table-fixed text-sm">
          <thead className="border-b text-left text-muted-foreground">
            <tr>
              <th scope="col" className="py-2 pr-2 font-medium">{t("documents.col.title")}</th>
              <th scope="col" className="w-28 py-2 pr-2 font-medium">{t("documents.col.status")}</th>
              <th scope="col" className="hidden w-24 py-2 pr-2 font-medium sm:table-cell">{t("documents.col.size")}</th>
              <th scope="col" className="hidden w-44 py-2 font-medium md:table-cell">{t("documents.col.created")}</th>
            </tr>
          </thead>
          <tbody className="divide-y">
            {items.map((doc) => (
              <tr key={doc.id}>
                <td className="py-2 pr-2">
                  <Link to="/$locale/documents/$documentId" params={{ locale, documentId: doc.id }} className="block truncate font-medium hover:underline">
                    {doc.title}
                  </Link>
                </td>
                <td className="py-2 pr-2"><StatusBadge status={doc.status} /></td>
                <td className="hidden py-2 pr-2 sm:table-cell">{bytes(doc.size_bytes)}</td>
                <td className="hidden py-2 md:table-cell">{date(doc.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label={t("common.pagination")} className="mt-4 flex justify-end gap-2">
        {cursor ? (
          <Button variant="outline" size="sm" onClick={() => void navigate({ search: (s) => ({ ...s, cursor: undefined }) })}>
            {t("common.firstPage")}
          </Button>
        ) : null}
        {documents.data?.next_cursor ? (
          <Button variant="outline" size="sm" onClick={() => void navigate({ search: (s) => ({ ...s, cursor: documents.data.next_cursor ?? undefined }) })}>
            {t("common.nextPage")}
          </Button>
        ) : null}
      </nav>
    </>
  );
}
