import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { setUnauthorizedHandler } from "./lib/api";
import { ApiError } from "./lib/errors";
import { isLocale } from "./lib/locales";
import { applyTheme, storedTheme } from "./lib/theme";
import { makeRouter } from "./router";
import "./styles.css";

applyTheme(storedTheme()); // before the first paint, so dark mode does not flash

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // a 4xx will not change by asking again; a network blip or 5xx might
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
  },
});
const router = makeRouter(queryClient);

// A session that expires or is revoked mid-use: back to sign-in, then back here.
setUnauthorizedHandler(() => {
  const { pathname, href } = router.state.location;
  const locale = pathname.split("/")[1];
  queryClient.setQueryData(["session"], null);
  if (!isLocale(locale) || /\/(sign-in|sign-up|forgot-password|reset-password|verify-email)$/.test(pathname)) return;
  void router.navigate({ to: "/$locale/sign-in", params: { locale }, search: { redirect: href } });
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
