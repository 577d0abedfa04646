export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "in 3 h" / "12 min ago": SLA due times read faster relative to now. */
export function relativeTo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const diff = new Date(iso).getTime() - now;
  // Round to minutes first, so that 59.99 minutes reads "in 1 h" rather than "in 60 min".
  const minutes = Math.max(1, Math.round(Math.abs(diff) / 60_000));
  const text = minutes >= 1440 ? `${Math.round(minutes / 1440)} d` : minutes >= 60 ? `${Math.round(minutes / 60)} h` : `${minutes} min`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

export function percent(rate: number | null | undefined): string {
  return rate == null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

export function usd(n: number | null | undefined): string {
  return n == null ? '—' : `$${Number(n).toFixed(n < 1 ? 4 : 2)}`;
}

export function ms(n: number | null | undefined): string {
  if (n == null) return '—';
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`;
}

/** yyyy-mm-dd of a local date input → ISO instant at UTC midnight (KPI ranges are UTC days). */
export function dayToIso(day: string): string {
  return `${day}T00:00:00Z`;
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
}
