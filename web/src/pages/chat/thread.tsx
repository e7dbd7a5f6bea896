import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, Copy, Send, Square } from "lucide-react";
import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from "react";
import { ErrorState, Loading } from "../../components/states";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { NativeSelect, Textarea } from "../../components/ui/input";
import { Label } from "../../components/ui/label";
import { api, unwrap } from "../../lib/api";
import { ApiError, codeOf, errorText, messageOf } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";
import { modelsQuery } from "../../lib/queries";
import { meQuery } from "../../lib/session";
import { readSse } from "../../lib/sse";
import { AskScope, Citations, citationsKey, useAttachments } from "./ask-scope";

const Markdown = lazy(() => import("../../components/markdown"));

function CopyButton({ text }: { text: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="ghost"
      size="sm"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />} {copied ? t("common.copied") : t("common.copy")}
    </Button>
  );
}

function Bubble({ role, text, streaming, children }: { role: string; text: string; streaming?: boolean; children?: ReactNode }) {
  const { t } = useI18n();
  const mine = role === "user";
  return (
    <li className={`flex flex-col ${mine ? "items-end" : "items-start"}`}>
      <span className="sr-only">{mine ? t("chat.you") : t("chat.assistant")}</span>
      <div className={`max-w-[min(42rem,100%)] rounded-lg px-3 py-2 ${mine ? "bg-primary text-primary-foreground" : "border bg-card"}`} aria-busy={streaming || undefined}>
        {mine ? (
          <p className="text-sm whitespace-pre-wrap break-words">{text}</p>
        ) : (
          <Suspense fallback={<p className="text-sm whitespace-pre-wrap">{text}</p>}>
            <Markdown text={text || "…"} />
          </Suspense>
        )}
      </div>
      {children}
      {!mine && !streaming && text ? <CopyButton text={text} /> : null}
    </li>
  );
}

// `saved` is the stored user message's id, known once the reply is done: from then on the list
// shows the stored messages and the pending bubbles step aside, so nothing shows twice.
type Pending = { user: string; reply: string; runId?: string; saved?: string };

/** One conversation: messages, a streamed reply with Stop, the plan's models to choose from. */
export function Thread({ conversationId }: { conversationId: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const me = useQuery(meQuery).data;
  const models = useQuery(modelsQuery).data ?? [];
  const allowed = models.filter((m) => !me || m.plans.includes(me.plan));
  const [model, setModel] = useState<string>("");
  const [draft, setDraft] = useState("");
  const [pending, setPending] = useState<Pending | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const end = useRef<HTMLDivElement>(null);
  const messages = useQuery({
    queryKey: ["messages", conversationId],
    queryFn: () => unwrap(api.GET("/api/conversations/{conversation_id}/messages", { params: { path: { conversation_id: conversationId }, query: { limit: 100 } } })),
  });
  const attachments = useAttachments(conversationId).data;
  const [ask, setAsk] = useState(false);
  useEffect(() => {
    if (attachments && !attachments.all_documents) setAsk(true); // opened from a document's "Ask"
  }, [attachments]);
  const citations = useQuery({
    queryKey: citationsKey(conversationId),
    queryFn: () => unwrap(api.GET("/api/conversations/{conversation_id}/citations", { params: { path: { conversation_id: conversationId } } })),
  });
  useEffect(() => {
    if (!model && me && allowed.length) setModel(allowed.some((m) => m.name === me.profile.default_model) ? me.profile.default_model : allowed[0]!.name);
  }, [model, me, allowed]);
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [messages.data, pending?.reply]);
  useEffect(() => () => abort.current?.abort(), [conversationId]);

  const send = async () => {
    const content = draft.trim();
    if (!content || pending) return;
    setFailure(null);
    setPending({ user: content, reply: "" });
    setDraft("");
    const controller = new AbortController();
    abort.current = controller;
    try {
      const params = { path: { conversation_id: conversationId } };
      const { response } = ask
        ? await api.POST("/api/conversations/{conversation_id}/ask", { params, body: { question: content, model: model || null, stream: true, passages: 5 }, parseAs: "stream", signal: controller.signal })
        : await api.POST("/api/conversations/{conversation_id}/messages", { params, body: { content, model: model || null, stream: true }, parseAs: "stream", signal: controller.signal });
      if (!response.ok || !response.body) {
        const body: unknown = await response.json().catch(() => null);
        throw new ApiError(messageOf(body, t("common.error")), response.status, codeOf(body));
      }
      for await (const event of readSse(response.body)) {
        const data = JSON.parse(event.data) as { run_id?: string; text?: string; error?: string | null; user_message?: { id: string } };
        if (event.event === "run") setPending((p) => p && { ...p, runId: data.run_id });
        if (event.event === "delta") setPending((p) => p && { ...p, reply: p.reply + (data.text ?? "") });
        if (event.event === "done") {
          setPending((p) => p && { ...p, saved: data.user_message?.id });
          if (data.error) setFailure(data.error);
        }
      }
    } catch (error) {
      if (controller.signal.aborted) {
        setFailure(t("chat.stopped"));
      } else {
        setFailure(errorText(error, t("common.error")));
        setDraft((d) => d || content); // nothing was lost: the text is back in the box
      }
    } finally {
      abort.current = null;
      if (controller.signal.aborted) setPending(null); // what was kept comes back with the list
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["messages", conversationId] }),
        queryClient.invalidateQueries({ queryKey: citationsKey(conversationId) }),
      ]);
      setPending(null);
      await queryClient.invalidateQueries({ queryKey: ["me"] });
    }
  };
  const stop = () => {
    const runId = pending?.runId;
    abort.current?.abort();
    if (runId) void api.POST("/api/runs/{run_id}/cancel", { params: { path: { run_id: runId } } });
  };

  return (
    <div className="flex min-h-[60vh] flex-col">
      <div className="flex-1">
        {messages.isPending ? (
          <Loading rows={3} />
        ) : messages.isError ? (
          <ErrorState error={messages.error} retry={() => void messages.refetch()} />
        ) : (
          <ol aria-label={t("chat.messages")} className="flex flex-col gap-3" aria-live="polite">
            {messages.data.items.length === 0 && !pending ? <li className="text-sm text-muted-foreground">{t("chat.startHint")}</li> : null}
            {messages.data.items.map((m) => (
              <Bubble key={m.id} role={m.role} text={m.content}>
                <Citations items={(citations.data ?? []).filter((c) => c.message_id === m.id)} />
              </Bubble>
            ))}
            {pending && !messages.data.items.some((m) => m.id === pending.saved) ? (
              <>
                <Bubble role="user" text={pending.user} />
                <Bubble role="assistant" text={pending.reply} streaming />
              </>
            ) : null}
          </ol>
        )}
        <div ref={end} />
      </div>
      {failure ? <Alert tone="error" className="mt-3">{failure}</Alert> : null}
      <form
        className="sticky bottom-0 mt-4 flex flex-col gap-2 border-t bg-background pt-3"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <Label htmlFor="chat-input" className="sr-only">{t("chat.message")}</Label>
        <Textarea
          id="chat-input"
          value={draft}
          placeholder={t("chat.placeholder")}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
          className="min-h-20"
        />
        <div className="flex flex-wrap items-center gap-2">
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" className="size-4" checked={ask} onChange={(e) => setAsk(e.target.checked)} /> {t("ask.toggle")}
          </label>
          {ask ? <AskScope conversationId={conversationId} /> : null}
        </div>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <div className="flex items-center gap-2">
            <Label htmlFor="chat-model" className="text-xs text-muted-foreground">{t("chat.model")}</Label>
            <NativeSelect id="chat-model" value={model} onChange={(e) => setModel(e.target.value)} className="h-9 w-auto max-w-48">
              {allowed.map((m) => (
                <option key={m.name} value={m.name}>{m.name}</option>
              ))}
            </NativeSelect>
          </div>
          {pending ? (
            <Button type="button" variant="outline" onClick={stop}>
              <Square aria-hidden="true" /> {t("chat.stop")}
            </Button>
          ) : (
            <Button type="submit" disabled={!draft.trim()}>
              <Send aria-hidden="true" /> {t("chat.send")}
            </Button>
          )}
        </div>
      </form>
    </div>
  );
}
