import { ApiError } from '../api/client';
import type { RiskFlag } from '../api/types';

/** The problem type of a 422 from POST /drafts/{id}/approve: the text to send (edited or not) failed the guardrail re-check. */
export const DRAFT_BLOCKED = 'https://outreachos.dev/problems/draft-blocked';

/** What the approvals page shows after a refused edit, and what "Send anyway" re-submits. */
export interface BlockedEdit {
  text: string;
  findings: RiskFlag[];
  blockingCodes: string[];
  detail: string | null;
}

/** The body of an approve call: the edit (when there is one) and the explicit override (only when asked for). */
export function approveBody(editedText: string | undefined, override = false): { edited_text?: string; override?: true } {
  const body: { edited_text?: string; override?: true } = {};
  if (editedText !== undefined) body.edited_text = editedText;
  if (override) body.override = true;
  return body;
}

/**
 * Reads a blocked approve (422, type draft-blocked) into the findings to show; null for any other error. Malformed
 * findings are dropped rather than trusted: a finding needs a code and a severity, a span needs numeric bounds.
 */
export function blockedEdit(error: unknown, text: string): BlockedEdit | null {
  if (!(error instanceof ApiError) || error.status !== 422 || !error.problem) return null;
  const p = error.problem;
  if (p.type !== DRAFT_BLOCKED && !Array.isArray(p.findings)) return null;
  const findings: RiskFlag[] = [];
  for (const raw of Array.isArray(p.findings) ? p.findings : []) {
    const f = raw as Record<string, unknown>;
    if (typeof f?.code !== 'string' || (f.severity !== 'BLOCK' && f.severity !== 'WARN')) continue;
    const s = f.span as Record<string, unknown> | null | undefined;
    const span =
      s && typeof s.start === 'number' && typeof s.length === 'number'
        ? { start: s.start, length: s.length, text: typeof s.text === 'string' ? s.text : '', part: s.part === 'SUBJECT' ? 'SUBJECT' : 'BODY' }
        : null;
    findings.push({ code: f.code, severity: f.severity, detail: typeof f.detail === 'string' ? f.detail : '', span } as RiskFlag);
  }
  const codes = Array.isArray(p.blocking_codes) ? p.blocking_codes.filter((c): c is string => typeof c === 'string') : [];
  return {
    text,
    findings: [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'BLOCK' ? -1 : 1)),
    blockingCodes: codes.length ? codes : [...new Set(findings.filter((f) => f.severity === 'BLOCK').map((f) => f.code))],
    detail: error.detail,
  };
}

/** Counts of a draft's stored findings by severity, for the queue's badges. */
export function findingCounts(flags: RiskFlag[] | null | undefined): { block: number; warn: number } {
  const list = flags ?? [];
  return { block: list.filter((f) => f.severity === 'BLOCK').length, warn: list.filter((f) => f.severity === 'WARN').length };
}

/** One page of a list endpoint (GET /drafts, GET /qa/pending): `next` is the `after` of the following page; null or absent on the last. */
export interface Page<T> {
  items: T[];
  next?: string | null;
}

/** The page size the approval queue asks for: the API's maximum, so a normal queue is one request. */
export const QUEUE_PAGE_SIZE = 500;

/** At most this many pending drafts are loaded at once; beyond it the queue says that more are waiting. */
export const QUEUE_MAX_DRAFTS = 2000;

/** GET /drafts for pending drafts, oldest first, from the cursor `after` (null: the first page). */
export function pendingDraftsPath(after: string | null, limit = QUEUE_PAGE_SIZE): string {
  return `/drafts?status=PENDING&limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
}

/**
 * Reads a list by following `next` from its first page until the last page or until `max` items are loaded; `more`
 * says that items exist beyond what was loaded. The API returns the oldest first, so a cut at `max` keeps the drafts
 * nearest their SLA and leaves out the newest.
 */
export async function loadPages<T>(fetchPage: (after: string | null) => Promise<Page<T>>, max: number): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await fetchPage(after);
    items.push(...(page.items ?? []));
    const next = page.next ?? null;
    // A cursor repeated by the server would loop for ever: stop, and say that more exist.
    if (items.length >= max || next === null || next === after) {
      return { items: items.slice(0, max), more: next !== null || items.length > max };
    }
    after = next;
  }
}
