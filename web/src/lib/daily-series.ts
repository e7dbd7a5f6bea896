export type DailyPoint = { day: string } & Record<string, number | string>;

/** Fills every day of the range, so gaps show as zero instead of vanishing. */
export function dailySeries(
  rows: { key?: string | null; metric: string; quantity: number }[],
  from: string,
  to: string,
  seriesOf: (row: { key?: string | null; metric: string }) => string | null,
): { data: DailyPoint[]; series: string[] } {
  const days: DailyPoint[] = [];
  const start = new Date(from.slice(0, 10) + "T00:00:00Z");
  const end = new Date(to);
  const today = new Date();
  for (let d = start; d < end && d <= today; d = new Date(d.getTime() + 86_400_000)) {
    days.push({ day: d.toISOString().slice(0, 10) });
  }
  const series = new Set<string>();
  for (const row of rows) {
    const name = seriesOf(row);
    if (!name || !row.key) continue;
    series.add(name);
    const point = days.find((p) => p.day === row.key?.slice(0, 10));
    if (point) point[name] = Number(point[name] ?? 0) + row.quantity;
  }
  for (const point of days) for (const name of series) point[name] ??= 0;
  return { data: days, series: [...series] };
}
