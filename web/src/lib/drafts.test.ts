import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../api/client';
import { approveBody, blockedEdit, DRAFT_BLOCKED, findingCounts } from './drafts';
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
