import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate } from "@tanstack/react-router";
import { LogOut, Menu, Settings as SettingsIcon } from "lucide-react";
import { useState } from "react";
import { api } from "../lib/api";
import { authClient } from "../lib/auth-client";
import { useI18n } from "../lib/i18n";
import type { Locale } from "../lib/locales";
import { meQuery, sessionQuery } from "../lib/session";
import { NAV_ITEMS } from "./nav-items";
import { PreferencesBar } from "./preferences-bar";
import { Button } from "./ui/button";
import { Dialog, DialogContent, DialogTrigger } from "./ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "./ui/dropdown-menu";

function NavLinks({ onNavigate, admin }: { onNavigate?: () => void; admin: boolean }) {
  const { t, locale } = useI18n();
  return (
    <ul className="flex flex-col gap-1">
      {NAV_ITEMS.filter((item) => admin || !item.adminOnly).map(({ to, label, icon: Icon }) => (
        <li key={to}>
          <Link
            to={to}
            params={{ locale }}
            onClick={onNavigate}
            className="flex items-center gap-3 rounded-md px-3 py-2 text-sm text-muted-foreground hover:bg-muted hover:text-foreground"
            activeProps={{ className: "bg-muted font-medium !text-foreground", "aria-current": "page" }}
          >
            <Icon aria-hidden="true" className="size-4" />
            {t(label)}
          </Link>
        </li>
      ))}
    </ul>
  );
}

function initials(name: string): string {
  return name.trim().split(/\s+/).slice(0, 2).map((part) => part[0]?.toUpperCase() ?? "").join("") || "?";
}

function UserMenu() {
  const { t, locale } = useI18n();
  const session = useQuery(sessionQuery).data;
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useMutation({
    mutationFn: () => authClient.signOut(),
    onSettled: async () => {
      queryClient.clear();
      await navigate({ to: "/$locale/sign-in", params: { locale } });
    },
  });
  const name = session?.user.name ?? "";
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" className="rounded-full">
          <span className="sr-only">{t("shell.account", { name })}</span>
          <span aria-hidden="true" className="flex size-8 items-center justify-center rounded-full bg-primary text-xs font-semibold text-primary-foreground">
            {initials(name)}
          </span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <div className="px-2 py-1.5 text-sm">
          <div className="font-medium break-all">{name}</div>
          <div className="text-xs break-all text-muted-foreground">{session?.user.email}</div>
        </div>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => void navigate({ to: "/$locale/settings", params: { locale } })}>
          <SettingsIcon aria-hidden="true" className="size-4" /> {t("nav.settings")}
        </DropdownMenuItem>
        <DropdownMenuItem disabled={signOut.isPending} onSelect={() => signOut.mutate()}>
          <LogOut aria-hidden="true" className="size-4" /> {t("shell.signOut")}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** The signed-in frame: sidebar on wide screens, a drawer on phones, top bar with preferences. */
export function AppShell() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const me = useQuery(meQuery).data;
  const admin = Boolean(me?.is_admin);
  const saveLocale = (next: Locale) => {
    void api.PATCH("/api/me/profile", { body: { preferred_locale: next } });
  };
  return (
    <div className="min-h-screen md:grid md:grid-cols-[15rem_1fr]">
      <aside className="hidden border-r md:block">
        <div className="sticky top-0 p-4">
          <div className="mb-6 flex items-center gap-2 px-2 font-semibold">
            <img src="/favicon.svg" alt="" className="size-7" /> Raypx
          </div>
          <nav aria-label={t("shell.nav")}>
            <NavLinks admin={admin} />
          </nav>
        </div>
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="sticky top-0 z-30 flex items-center justify-between gap-2 border-b bg-background/95 px-3 py-2 backdrop-blur sm:px-6">
          <div className="flex items-center gap-2 md:invisible">
            <Dialog open={open} onOpenChange={setOpen}>
              <DialogTrigger asChild>
                <Button variant="ghost" size="icon" aria-label={t("shell.openMenu")}>
                  <Menu aria-hidden="true" />
                </Button>
              </DialogTrigger>
              <DialogContent title={t("shell.nav")} className="top-0 left-0 h-full max-w-64 translate-x-0 translate-y-0 rounded-none">
                <nav aria-label={t("shell.nav")}>
                  <NavLinks admin={admin} onNavigate={() => setOpen(false)} />
                </nav>
              </DialogContent>
            </Dialog>
            <span className="font-semibold md:hidden">Raypx</span>
          </div>
          <div className="flex items-center gap-1">
            <PreferencesBar onLocaleChange={saveLocale} />
            <UserMenu />
          </div>
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl min-w-0 flex-1 p-4 sm:p-6">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
