import { CreditCard, FileText, LayoutDashboard, BarChart3, MessageSquare, Search, Settings, ShieldCheck, Sparkles, type LucideIcon } from "lucide-react";
import type { MessageKey } from "../lib/i18n";

type AppPath = "/$locale/dashboard" | "/$locale/documents" | "/$locale/search" | "/$locale/chat" | "/$locale/tasks" | "/$locale/usage" | "/$locale/billing" | "/$locale/settings" | "/$locale/admin";

export const NAV_ITEMS: { to: AppPath; label: MessageKey; icon: LucideIcon; adminOnly?: boolean }[] = [
  { to: "/$locale/dashboard", label: "nav.dashboard", icon: LayoutDashboard },
  { to: "/$locale/documents", label: "nav.documents", icon: FileText },
  { to: "/$locale/search", label: "nav.search", icon: Search },
  { to: "/$locale/chat", label: "nav.chat", icon: MessageSquare },
  { to: "/$locale/tasks", label: "nav.tasks", icon: Sparkles },
  { to: "/$locale/usage", label: "nav.usage", icon: BarChart3 },
  { to: "/$locale/billing", label: "nav.billing", icon: CreditCard },
  { to: "/$locale/settings", label: "nav.settings", icon: Settings },
  { to: "/$locale/admin", label: "nav.admin", icon: ShieldCheck, adminOnly: true },
];
