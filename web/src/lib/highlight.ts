import type { RiskFlag } from '../api/types';

export interface Segment {
  text: string;
  /** Flags whose span covers this piece of text (empty for plain text). */
  flags: RiskFlag[];
}

/**
 * Splits a message into plain and flagged pieces for one part (BODY or SUBJECT). Spans are [start, start+length) in
 * UTF-16 units like JavaScript strings; overlapping spans are split at every boundary so each piece lists all its flags.
 * A span that falls outside the text (the message was edited since the check) is clamped, and dropped when empty.
 */
export function segment(text: string, flags: RiskFlag[], part: 'BODY' | 'SUBJECT' = 'BODY'): Segment[] {
  const spans = flags
    .filter((f) => f.span && f.span.part === part)
    .map((f) => ({ flag: f, start: clamp(f.span!.start, text.length), end: clamp(f.span!.start + f.span!.length, text.length) }))
    .filter((s) => s.end > s.start);
  if (spans.length === 0) return text.length ? [{ text, flags: [] }] : [];
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const from = points[i];
    const to = points[i + 1];
    if (to <= from) continue;
    const covering = spans.filter((s) => s.start <= from && s.end >= to).map((s) => s.flag);
    const last = out[out.length - 1];
    if (last && covering.length === 0 && last.flags.length === 0) last.text += text.slice(from, to);
    else out.push({ text: text.slice(from, to), flags: covering });
  }
  return out;
}

function clamp(n: number, max: number): number {
  return Math.max(0, Math.min(n, max));
}

/** The strongest severity among flags, for colouring a highlighted piece. */
export function worstSeverity(flags: RiskFlag[]): 'BLOCK' | 'WARN' | null {
  if (flags.some((f) => f.severity === 'BLOCK')) return 'BLOCK';
  return flags.length ? 'WARN' : null;
}
