import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DailyPoint } from "../lib/daily-series";
import { useI18n } from "../lib/i18n";

const COLORS = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)"];

/** Bars per UTC day; one series per key (a metric or a model). Loaded on demand (Recharts). */
export default function DailyChart({
  data,
  series,
  label,
  tick,
  colors = COLORS,
}: {
  data: DailyPoint[];
  series: string[];
  label: string;
  tick?: (value: string) => string;
  colors?: string[];
}) {
  const { day: dayLabel, number } = useI18n();
  const day = tick ?? dayLabel;
  return (
    <figure aria-label={label} className="h-64 w-full min-w-0">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(value: string) => day(value)} stroke="var(--muted-foreground)" fontSize={12} />
          <YAxis tickFormatter={(value: number) => number(value)} stroke="var(--muted-foreground)" fontSize={12} width={56} />
          <Tooltip
            labelFormatter={(value) => day(String(value))}
            formatter={(value) => number(Number(value))}
            contentStyle={{ background: "var(--card)", border: "1px solid var(--border)", color: "var(--foreground)" }}
          />
          {series.length > 1 ? <Legend /> : null}
          {series.map((key, index) => (
            <Bar key={key} dataKey={key} stackId="a" fill={colors[index % colors.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
