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
