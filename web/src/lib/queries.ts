import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "./api";

/** Shared query definitions: one key per server resource, used by every screen that reads it. */
export const usageQuery = (groupBy: "metric" | "model" | "feature" | "day", from?: string, to?: string) =>
  queryOptions({
    queryKey: ["usage", groupBy, from ?? null, to ?? null],
    queryFn: () =>
      unwrap(
        api.GET("/api/usage", {
          params: { query: { group_by: groupBy, ...(from ? { from } : {}), ...(to ? { to } : {}) } },
        }),
      ),
  });

export const runsQuery = (limit = 20, cursor?: string) =>
  queryOptions({
    queryKey: ["runs", limit, cursor ?? null],
    queryFn: () => unwrap(api.GET("/api/runs", { params: { query: { limit, ...(cursor ? { cursor } : {}) } } })),
  });

export const plansQuery = queryOptions({
  queryKey: ["plans"],
  queryFn: () => unwrap(api.GET("/api/billing/plans")),
  staleTime: 5 * 60_000,
});

export const modelsQuery = queryOptions({
  queryKey: ["models"],
  queryFn: () => unwrap(api.GET("/api/models")),
  staleTime: 5 * 60_000,
});
