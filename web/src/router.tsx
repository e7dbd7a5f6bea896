import { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { AppShell } from "./components/app-shell";
import { AuthLayout } from "./components/auth-layout";
import { LocaleLayout, NotFound } from "./components/locale-layout";
import { preferredLocale } from "./lib/detect-locale";
import { isLocale, switchLocalePath, type Locale } from "./lib/locales";
import { sessionQuery } from "./lib/session";

export type RouterContext = { queryClient: QueryClient };

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
});

/** `/` (and the mail links' `/?token=`): to the right view in the visitor's language. */
const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: async ({ context, location }) => {
    const locale = await preferredLocale(context.queryClient);
    const search = location.search as Record<string, unknown>;
    if (typeof search.token === "string" || search.error === "INVALID_TOKEN") {
      throw redirect({ to: "/$locale/reset-password", params: { locale }, search });
    }
    const session = await context.queryClient.ensureQueryData(sessionQuery).catch(() => null);
    throw redirect({ to: session ? "/$locale/dashboard" : "/$locale/sign-in", params: { locale } });
  },
});

export const localeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "$locale",
  beforeLoad: async ({ params, context, location }) => {
    if (!isLocale(params.locale)) {
      const locale = await preferredLocale(context.queryClient);
      throw redirect({ href: switchLocalePath(location.href, locale) });
    }
    return { locale: params.locale as Locale };
  },
  component: LocaleLayout,
});

const localeIndexRoute = createRoute({
  getParentRoute: () => localeRoute,
  path: "/",
  beforeLoad: ({ params }) => {
    throw redirect({ to: "/$locale/dashboard", params });
  },
});

const authLayout = createRoute({
  getParentRoute: () => localeRoute,
  id: "auth",
  component: AuthLayout,
});

type RedirectSearch = { redirect?: string };
const redirectSearch = (search: Record<string, unknown>): RedirectSearch =>
  typeof search.redirect === "string" && search.redirect.startsWith("/")
    ? { redirect: search.redirect }
    : {};
type TokenSearch = { token?: string; error?: string };
const tokenSearch = (search: Record<string, unknown>): TokenSearch => ({
  ...(typeof search.token === "string" ? { token: search.token } : {}),
  ...(typeof search.error === "string" ? { error: search.error } : {}),
});

const signInRoute = createRoute({
  getParentRoute: () => authLayout,
  path: "sign-in",
  validateSearch: redirectSearch,
  component: lazyRouteComponent(() => import("./pages/auth/sign-in"), "SignInPage"),
});
type TwoFactorSearch = RedirectSearch & { methods: string };
const twoFactorRoute = createRoute({
  getParentRoute: () => authLayout,
  path: "two-factor",
  validateSearch: (search: Record<string, unknown>): TwoFactorSearch => ({
    ...redirectSearch(search),
    methods: typeof search.methods === "string" ? search.methods : "",
  }),
  component: lazyRouteComponent(() => import("./pages/auth/two-factor"), "TwoFactorPage"),
});
const signUpRoute = createRoute({
  getParentRoute: () => authLayout,
  path: "sign-up",
  validateSearch: redirectSearch,
  component: lazyRouteComponent(() => import("./pages/auth/sign-up"), "SignUpPage"),
});
const forgotRoute = createRoute({
  getParentRoute: () => authLayout,
  path: "forgot-password",
  component: lazyRouteComponent(() => import("./pages/auth/forgot-password"), "ForgotPasswordPage"),
});
const resetRoute = createRoute({
  getParentRoute: () => authLayout,
  path: "reset-password",
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import("./pages/auth/reset-password"), "ResetPasswordPage"),
});
const verifyRoute = createRoute({
  getParentRoute: () => authLayout,
  path: "verify-email",
  validateSearch: tokenSearch,
  component: lazyRouteComponent(() => import("./pages/auth/verify-email"), "VerifyEmailPage"),
});

/** Everything behind sign-in; a visitor without a session goes to sign-in and comes back. */
const appLayout = createRoute({
  getParentRoute: () => localeRoute,
  id: "app",
  beforeLoad: async ({ context, location, params }) => {
    const session = await context.queryClient.ensureQueryData(sessionQuery);
    if (!session) {
      throw redirect({
        to: "/$locale/sign-in",
        params,
        search: { redirect: location.href },
      });
    }
    return { session };
  },
  component: AppShell,
});

const dashboardRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "dashboard",
  component: lazyRouteComponent(() => import("./pages/dashboard"), "DashboardPage"),
});

type DocumentsSearch = { q?: string; status?: string; sort?: string; cursor?: string };
const documentsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "documents",
  validateSearch: (search: Record<string, unknown>): DocumentsSearch => ({
    ...(typeof search.q === "string" && search.q ? { q: search.q } : {}),
    ...(typeof search.status === "string" && search.status ? { status: search.status } : {}),
    ...(typeof search.sort === "string" && search.sort ? { sort: search.sort } : {}),
    ...(typeof search.cursor === "string" && search.cursor ? { cursor: search.cursor } : {}),
  }),
  component: lazyRouteComponent(() => import("./pages/documents/list"), "DocumentsPage"),
});
const documentRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "documents/$documentId",
  component: lazyRouteComponent(() => import("./pages/documents/detail"), "DocumentPage"),
});

const searchRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "search",
  validateSearch: (search: Record<string, unknown>): { q?: string } =>
    typeof search.q === "string" && search.q ? { q: search.q } : {},
  component: lazyRouteComponent(() => import("./pages/search/index"), "SearchPage"),
});

const billingRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "billing",
  validateSearch: (search: Record<string, unknown>): { checkout?: string } =>
    typeof search.checkout === "string" ? { checkout: search.checkout } : {},
  component: lazyRouteComponent(() => import("./pages/billing"), "BillingPage"),
});

const chatRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "chat",
  component: lazyRouteComponent(() => import("./pages/chat/index"), "ChatPage"),
});
const conversationRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "chat/$conversationId",
  component: lazyRouteComponent(() => import("./pages/chat/index"), "ConversationPage"),
});

const tasksRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "tasks",
  validateSearch: (search: Record<string, unknown>): { feature?: string; run?: string } => ({
    ...(typeof search.feature === "string" ? { feature: search.feature } : {}),
    ...(typeof search.run === "string" ? { run: search.run } : {}),
  }),
  component: lazyRouteComponent(() => import("./pages/tasks/index"), "TasksPage"),
});

const usageRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "usage",
  validateSearch: (search: Record<string, unknown>): { month?: string; metric?: string } => ({
    ...(typeof search.month === "string" ? { month: search.month } : {}),
    ...(typeof search.metric === "string" ? { metric: search.metric } : {}),
  }),
  component: lazyRouteComponent(() => import("./pages/usage"), "UsagePage"),
});

const settingsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "settings",
  component: lazyRouteComponent(() => import("./pages/settings/index"), "SettingsPage"),
});

const adminRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "admin",
  component: lazyRouteComponent(() => import("./pages/admin/index"), "AdminPage"),
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  localeRoute.addChildren([
    localeIndexRoute,
    authLayout.addChildren([signInRoute, twoFactorRoute, signUpRoute, forgotRoute, resetRoute, verifyRoute]),
    appLayout.addChildren([dashboardRoute, documentsRoute, documentRoute, searchRoute, chatRoute, conversationRoute, tasksRoute, usageRoute, billingRoute, settingsRoute, adminRoute]),
  ]),
]);

export function makeRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
    defaultNotFoundComponent: NotFound,
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
