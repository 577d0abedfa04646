import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../api/client';
import { approveBody, blockedEdit, DRAFT_BLOCKED, findingCounts, loadPages, pendingDraftsPath, type Page } from './drafts';
import { segment } from './highlight';

const edited = 'Hi Sarah, we give you 40% off and guarantee it. Best, Dana';

// The 422 problem of POST /drafts/{id}/approve as DraftActions.Blocked writes it.
const blockedProblem = {
  type: DRAFT_BLOCKED,
  title: 'Edited reply blocked by guardrails',
  status: 422,
  detail: 'The edited text of draft d1 has blocking guardrail findings (UNSOURCED_NUMBER); nothing was sent and the draft stays PENDING.',
  field: 'edited_text',
  blocking_codes: ['UNSOURCED_NUMBER'],
  findings: [
    { code: 'SPAM_WORDING', severity: 'WARN', detail: 'guarantee', span: { start: edited.indexOf('guarantee'), length: 9, text: 'guarantee', part: 'BODY' } },
    { code: 'UNSOURCED_NUMBER', severity: 'BLOCK', detail: '40% is not in any source', span: { start: edited.indexOf('40%'), length: 3, text: '40%', part: 'BODY' } },
    { code: 'LENGTH', severity: 'WARN', detail: 'short', span: null },
  ],
};

async function problemOf(status: number, body: unknown): Promise<ApiError> {
  return toApiError(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } }));
}

describe('blockedEdit', () => {
  it('reads the findings of a 422 draft-blocked problem, BLOCK first, with their spans into the edited text', async () => {
    const b = blockedEdit(await problemOf(422, blockedProblem), edited)!;
    expect(b).not.toBeNull();
    expect(b.text).toBe(edited);
    expect(b.blockingCodes).toEqual(['UNSOURCED_NUMBER']);
    expect(b.findings.map((f) => [f.code, f.severity])).toEqual([
      ['UNSOURCED_NUMBER', 'BLOCK'],
      ['SPAM_WORDING', 'WARN'],
      ['LENGTH', 'WARN'],
    ]);
    expect(b.detail).toMatch(/nothing was sent/);
    // The spans mark exactly the offending words of the edited text.
    const marked = segment(b.text, b.findings).filter((s) => s.flags.length);
    expect(marked.map((s) => s.text)).toEqual(['40%', 'guarantee']);
  });

  it('is null for other errors: a 409, a 422 of another kind, a network failure', async () => {
    expect(blockedEdit(await problemOf(409, { title: 'Conflict', status: 409 }), edited)).toBeNull();
    expect(blockedEdit(await problemOf(422, { title: 'Unprocessable', status: 422 }), edited)).toBeNull();
    expect(blockedEdit(new ApiError(0, 'The server could not be reached', null, null), edited)).toBeNull();
    expect(blockedEdit(new Error('boom'), edited)).toBeNull();
  });

  it('drops malformed findings instead of trusting them and derives the blocking codes when absent', async () => {
    const b = blockedEdit(
      await problemOf(422, { type: DRAFT_BLOCKED, status: 422, findings: [{ code: 'X', severity: 'BLOCK', span: { start: 'a' } }, { severity: 'BLOCK' }, null] }),
      edited,
    )!;
    expect(b.findings).toEqual([{ code: 'X', severity: 'BLOCK', detail: '', span: null }]);
    expect(b.blockingCodes).toEqual(['X']);
  });
});

describe('approveBody', () => {
  it('sends the edit, and "override": true only when the reviewer asked to send anyway', () => {
    expect(approveBody(undefined)).toEqual({});
    expect(approveBody('new text')).toEqual({ edited_text: 'new text' });
    expect(approveBody('new text', true)).toEqual({ edited_text: 'new text', override: true });
  });
});

describe('findingCounts', () => {
  it('counts stored findings by severity for the queue badges', () => {
    expect(findingCounts(blockedProblem.findings as never)).toEqual({ block: 1, warn: 2 });
    expect(findingCounts(undefined)).toEqual({ block: 0, warn: 0 });
  });
});

describe('loadPages', () => {
  // A server with `total` items in order, answering `size` a page with the last item's index as the cursor.
  function server(total: number, size: number) {
    const calls: (string | null)[] = [];
    const fetchPage = async (after: string | null): Promise<Page<number>> => {
      calls.push(after);
      const from = after === null ? 0 : Number(after) + 1;
      const items = Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, i) => from + i);
      return { items, next: from + size < total ? String(from + size - 1) : null };
    };
    return { calls, fetchPage };
  }

  it('follows next to the last page and keeps the order, each item once', async () => {
    const s = server(1203, 500);
    const r = await loadPages(s.fetchPage, 2000);
    expect(r.items).toEqual(Array.from({ length: 1203 }, (_, i) => i));
    expect(r.more).toBe(false);
    expect(s.calls).toEqual([null, '499', '999']);
  });

  it('stops at the cap with the oldest items and says that more exist', async () => {
    const r = await loadPages(server(2600, 500).fetchPage, 2000);
    expect(r.items).toHaveLength(2000);
    expect(r.items[0]).toBe(0);
    expect(r.more).toBe(true);
  });

  it('a list of exactly the cap is complete', async () => {
    const r = await loadPages(server(1000, 500).fetchPage, 1000);
    expect(r).toEqual({ items: Array.from({ length: 1000 }, (_, i) => i), more: false });
  });

  it('a response without next (an older host) is the whole list; a repeated cursor does not loop', async () => {
    expect(await loadPages(async () => ({ items: [1, 2] }), 2000)).toEqual({ items: [1, 2], more: false });
    let calls = 0;
    const stuck = await loadPages(async () => ({ items: [calls++], next: 'same' }), 2000);
    expect(stuck.more).toBe(true);
    expect(calls).toBe(2);
  });
});

describe('pendingDraftsPath', () => {
  it('asks for the largest page, and escapes the cursor', () => {
    expect(pendingDraftsPath(null)).toBe('/drafts?status=PENDING&limit=500');
    expect(pendingDraftsPath('639012.a+b/c')).toBe('/drafts?status=PENDING&limit=500&after=639012.a%2Bb%2Fc');
  });
});
