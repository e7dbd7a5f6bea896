import { queryOptions } from "@tanstack/react-query";
import { unwrap, api } from "./api";
import { authClient, type AuthSession } from "./auth-client";
import { ApiError } from "./errors";

/** The signed-in session, or null when signed out. */
export const sessionQuery = queryOptions({
  queryKey: ["session"],
  queryFn: async (): Promise<AuthSession | null> => {
    const { data, error } = await authClient.getSession();
    if (error) throw new ApiError(error.message ?? "", error.status, error.code);
    return data ?? null;
  },
  staleTime: 60_000,
});

/** The overview: user, profile, plan, limits, this period's usage. */
export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: () => unwrap(api.GET("/api/me")),
  staleTime: 15_000,
});

export const configQuery = queryOptions({
  queryKey: ["config"],
  queryFn: () => unwrap(api.GET("/api/config")),
  staleTime: Infinity,
});
