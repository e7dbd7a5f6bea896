import { CreditCard, FileText, LayoutDashboard, MessageSquare, type LucideIcon } from "lucide-react";
import type { MessageKey } from "../lib/i18n";

type AppPath = "/$locale/dashboard" | "/$locale/documents" | "/$locale/chat" | "/$locale/billing";

export const NAV_ITEMS: { to: AppPath; label: MessageKey; icon: LucideIcon; adminOnly?: boolean }[] = [
  { to: "/$locale/dashboard", label: "nav.dashboard", icon: LayoutDashboard },
  { to: "/$locale/documents", label: "nav.documents", icon: FileText },
  { to: "/$locale/chat", label: "nav.chat", icon: MessageSquare },
  { to: "/$locale/billing", label: "nav.billing", icon: CreditCard },
];
