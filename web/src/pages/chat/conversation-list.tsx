import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { Archive, ArchiveRestore, MoreHorizontal, Pencil, Plus, Trash2 } from "lucide-react";
import { useState } from "react";
import { Empty, ErrorState, Loading } from "../../components/states";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Dialog, DialogClose, DialogContent } from "../../components/ui/dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "../../components/ui/dropdown-menu";
import { Input } from "../../components/ui/input";
import { Label } from "../../components/ui/label";
import { api, unwrap } from "../../lib/api";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";

type Conversation = { id: string; title: string; status: string };

export function useCreateConversation() {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/conversations", { body: { title: t("chat.newTitle"), task: "chat" } })),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ["conversations"] });
      await navigate({ to: "/$locale/chat/$conversationId", params: { locale, conversationId: created.id } });
    },
  });
}

/** Conversations, newest first, with rename / archive / delete per item. */
export function ConversationList({ activeId }: { activeId?: string }) {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [archived, setArchived] = useState(false);
  const [renaming, setRenaming] = useState<Conversation | null>(null);
  const [deleting, setDeleting] = useState<Conversation | null>(null);
  const [title, setTitle] = useState("");
  const create = useCreateConversation();
  const list = useQuery({
    queryKey: ["conversations", archived ? "archived" : "active"],
    queryFn: () => unwrap(api.GET("/api/conversations", { params: { query: { status: archived ? "archived" : "active", limit: 100 } } })),
  });
  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: ["conversations"] });
  };
  const update = useMutation({
    mutationFn: (v: { id: string; title?: string; status?: "active" | "archived" }) =>
      unwrap(api.PATCH("/api/conversations/{conversation_id}", { params: { path: { conversation_id: v.id } }, body: { title: v.title ?? null, status: v.status ?? null } })),
    onSuccess: async () => {
      setRenaming(null);
      await done();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/conversations/{conversation_id}", { params: { path: { conversation_id: id } } })),
    onSuccess: async (_, id) => {
      setDeleting(null);
      if (id === activeId) await navigate({ to: "/$locale/chat", params: { locale } });
      queryClient.removeQueries({ queryKey: ["messages", id] });
      await done();
    },
  });
  return (
    <div className="flex flex-col gap-3">
      <Button onClick={() => create.mutate()} disabled={create.isPending}>
        <Plus aria-hidden="true" /> {t("chat.new")}
      </Button>
      {create.error ? <Alert tone="error">{errorText(create.error, t("common.error"))}</Alert> : null}
      <div role="group" aria-label={t("chat.show")} className="grid grid-cols-2 gap-1 rounded-md bg-muted p-1 text-sm">
        {[false, true].map((value) => (
          <button
            key={String(value)}
            type="button"
            aria-pressed={archived === value}
            onClick={() => setArchived(value)}
            className={`rounded px-2 py-1 ${archived === value ? "bg-background font-medium shadow-sm" : "text-muted-foreground"}`}
          >
            {value ? t("chat.archived") : t("chat.active")}
          </button>
        ))}
      </div>
      {list.isPending ? (
        <Loading rows={3} />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty title={archived ? t("chat.noArchived") : t("chat.empty")} />
      ) : (
        <ul aria-label={t("chat.conversations")} className="flex flex-col gap-1">
          {list.data.items.map((c) => (
            <li key={c.id} className={`flex items-center gap-1 rounded-md ${c.id === activeId ? "bg-muted" : ""}`}>
              <Link
                to="/$locale/chat/$conversationId"
                params={{ locale, conversationId: c.id }}
                className="min-w-0 flex-1 truncate px-3 py-2 text-sm"
                aria-current={c.id === activeId ? "page" : undefined}
              >
                {c.title}
              </Link>
              <DropdownMenu>
                <DropdownMenuTrigger asChild>
                  <Button variant="ghost" size="icon" className="size-8 shrink-0" aria-label={t("chat.actionsFor", { title: c.title })}>
                    <MoreHorizontal aria-hidden="true" />
                  </Button>
                </DropdownMenuTrigger>
                <DropdownMenuContent>
                  <DropdownMenuItem onSelect={() => { setTitle(c.title); update.reset(); setRenaming(c); }}>
                    <Pencil aria-hidden="true" /> {t("chat.rename")}
                  </DropdownMenuItem>
                  <DropdownMenuItem onSelect={() => update.mutate({ id: c.id, status: c.status === "archived" ? "active" : "archived" })}>
                    {c.status === "archived" ? <ArchiveRestore aria-hidden="true" /> : <Archive aria-hidden="true" />}
                    {c.status === "archived" ? t("chat.unarchive") : t("chat.archive")}
                  </DropdownMenuItem>
                  <DropdownMenuItem className="text-destructive" onSelect={() => setDeleting(c)}>
                    <Trash2 aria-hidden="true" /> {t("chat.delete")}
                  </DropdownMenuItem>
                </DropdownMenuContent>
              </DropdownMenu>
            </li>
          ))}
        </ul>
      )}
      {update.error && !renaming ? <Alert tone="error">{errorText(update.error, t("common.error"))}</Alert> : null}
      <Dialog open={renaming !== null} onOpenChange={(open) => !open && setRenaming(null)}>
        <DialogContent title={t("chat.rename")}>
          <form className="flex flex-col gap-4" onSubmit={(e) => { e.preventDefault(); if (renaming) update.mutate({ id: renaming.id, title }); }}>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="conversation-title">{t("chat.titleLabel")}</Label>
              <Input id="conversation-title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
            </div>
            {update.error ? <Alert tone="error">{errorText(update.error, t("common.error"))}</Alert> : null}
            <div className="flex justify-end gap-2">
              <DialogClose asChild><Button type="button" variant="outline">{t("common.cancel")}</Button></DialogClose>
              <Button type="submit" disabled={update.isPending || !title.trim()}>{t("common.save")}</Button>
            </div>
          </form>
        </DialogContent>
      </Dialog>
      <Dialog open={deleting !== null} onOpenChange={(open) => !open && setDeleting(null)}>
        <DialogContent title={t("chat.deleteTitle")} description={t("chat.deleteBody", { title: deleting?.title ?? "" })}>
          {remove.error ? <Alert tone="error" className="mb-4">{errorText(remove.error, t("common.error"))}</Alert> : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild><Button type="button" variant="outline">{t("common.cancel")}</Button></DialogClose>
            <Button variant="destructive" disabled={remove.isPending} onClick={() => deleting && remove.mutate(deleting.id)}>{t("chat.delete")}</Button>
          </div>
        </DialogContent>
      </Dialog>
    </div>
  );
}
