/** costByModel rows (one per day × module × model) → one row per day with a column per model, for a stacked bar chart. */
export function pivotCostByModel(rows: { day: string; model: string; costUsd: number | string }[]): {
  models: string[];
  rows: Record<string, string | number>[];
} {
  const models = [...new Set(rows.map((r) => r.model))].sort();
  const byDay = new Map<string, Record<string, string | number>>();
  for (const r of rows) {
    const row = byDay.get(r.day) ?? { day: r.day };
    row[r.model] = +((Number(row[r.model] ?? 0) + Number(r.costUsd)).toFixed(6));
    byDay.set(r.day, row);
  }
  return { models, rows: [...byDay.values()].sort((a, b) => String(a.day).localeCompare(String(b.day))) };
}
