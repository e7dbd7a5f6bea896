import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Empty, ErrorState, Loading } from "../../components/states";
import { Alert } from "../../components/ui/alert";
import { Button } from "../../components/ui/button";
import { Card, CardTitle } from "../../components/ui/card";
import { Input, NativeSelect } from "../../components/ui/input";
import { Label } from "../../components/ui/label";
import { api, unwrap } from "../../lib/api";
import { errorText } from "../../lib/errors";
import { useI18n } from "../../lib/i18n";

/** Find a user; change their plan; end their sessions. */
export function UsersCard() {
  const { t, date } = useI18n();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const users = useQuery({
    queryKey: ["admin", "users", q],
    queryFn: () => unwrap(api.GET("/api/admin/users", { params: { query: { limit: 20, ...(q ? { q } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
  const setPlan = useMutation({
    mutationFn: (v: { id: string; tier: "free" | "pro" }) => unwrap(api.POST("/api/admin/users/{user_id}/plan", { params: { path: { user_id: v.id } }, body: { tier: v.tier } })),
    onSuccess: done,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/admin/users/{user_id}/revoke-sessions", { params: { path: { user_id: id } } })),
    onSuccess: done,
  });
  const error = setPlan.error ?? revoke.error;
  return (
    <Card>
      <CardTitle>{t("admin.users")}</CardTitle>
      <div className="mt-4 flex flex-col gap-1.5">
        <Label htmlFor="admin-user-search">{t("admin.searchUsers")}</Label>
        <Input id="admin-user-search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={t("admin.searchPlaceholder")} />
      </div>
      {error ? <Alert tone="error" className="mt-3">{errorText(error, t("common.error"))}</Alert> : null}
      <div className="mt-4">
        {users.isPending ? (
          <Loading rows={3} />
        ) : users.isError ? (
          <ErrorState error={users.error} retry={() => void users.refetch()} />
        ) : users.data.length === 0 ? (
          <Empty title={t("admin.noUsers")} />
        ) : (
          <ul aria-label={t("admin.users")} className="divide-y">
            {users.data.map((u) => (
              <li key={u.id} className="flex flex-wrap items-center justify-between gap-3 py-3 text-sm">
                <div className="min-w-0">
                  <div className="font-medium break-all">{u.name}</div>
                  <div className="text-xs break-all text-muted-foreground">{u.email} · {t("admin.joined", { when: date(u.created_at) })}</div>
                </div>
                <div className="flex flex-wrap items-center gap-2">
                  <label className="sr-only" htmlFor={`plan-${u.id}`}>{t("admin.planOf", { name: u.name })}</label>
                  <NativeSelect
                    id={`plan-${u.id}`}
                    className="h-9 w-auto"
                    value={u.plan}
                    disabled={setPlan.isPending}
                    onChange={(e) => setPlan.mutate({ id: u.id, tier: e.target.value as "free" | "pro" })}
                  >
                    <option value="free">{t("plan.free")}</option>
                    <option value="pro">{t("plan.pro")}</option>
                  </NativeSelect>
                  <Button variant="outline" size="sm" disabled={revoke.isPending || u.sessions === 0} onClick={() => revoke.mutate(u.id)}>
                    {t("admin.revoke", { count: u.sessions })}
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
