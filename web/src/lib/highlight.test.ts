import { describe, expect, it } from 'vitest';
import type { RiskFlag } from '../api/types';
import { segment, worstSeverity } from './highlight';

const flag = (code: string, start: number, length: number, severity: 'WARN' | 'BLOCK' = 'WARN', part: 'BODY' | 'SUBJECT' = 'BODY'): RiskFlag => ({
  code,
  severity,
  detail: code,
  span: { start, length, text: '', part },
});

describe('segment', () => {
  it('returns the whole text as one plain piece when nothing is flagged', () => {
    expect(segment('Hello Dana', [])).toEqual([{ text: 'Hello Dana', flags: [] }]);
  });

  it('cuts the flagged span out of the surrounding text', () => {
    const f = flag('SPAM_WORD', 6, 4);
    expect(segment('Hello FREE offer', [f])).toEqual([
      { text: 'Hello ', flags: [] },
      { text: 'FREE', flags: [f] },
      { text: ' offer', flags: [] },
    ]);
  });

  it('splits overlapping spans so the overlap lists both flags', () => {
    const a = flag('A', 0, 5);
    const b = flag('B', 3, 4, 'BLOCK');
    const pieces = segment('abcdefgh', [a, b]);
    expect(pieces.map((p) => [p.text, p.flags.map((f) => f.code)])).toEqual([
      ['abc', ['A']],
      ['de', ['A', 'B']],
      ['fg', ['B']],
      ['h', []],
    ]);
  });

  it('ignores flags of the other part and flags without a span', () => {
    const subject = flag('S', 0, 2, 'WARN', 'SUBJECT');
    const noSpan: RiskFlag = { code: 'LENGTH', severity: 'WARN', detail: 'too long', span: null };
    expect(segment('body', [subject, noSpan])).toEqual([{ text: 'body', flags: [] }]);
    expect(segment('Re: hi', [subject], 'SUBJECT')[0]).toEqual({ text: 'Re', flags: [subject] });
  });

  it('clamps spans that run past the end and drops spans wholly outside an edited text', () => {
    const past = flag('P', 3, 50);
    const outside = flag('O', 40, 3);
    expect(segment('short', [past, outside])).toEqual([
      { text: 'sho', flags: [] },
      { text: 'rt', flags: [past] },
    ]);
  });

  it('keeps the text intact: the pieces concatenate to the input', () => {
    const text = 'We cut costs by 40% for every client, guaranteed.';
    const pieces = segment(text, [flag('NUMBER', 16, 3, 'BLOCK'), flag('CLAIM', 38, 11), flag('X', 17, 10)]);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
  });
});

describe('worstSeverity', () => {
  it('prefers BLOCK over WARN and is null without flags', () => {
    expect(worstSeverity([flag('a', 0, 1), flag('b', 0, 1, 'BLOCK')])).toBe('BLOCK');
    expect(worstSeverity([flag('a', 0, 1)])).toBe('WARN');
    expect(worstSeverity([])).toBeNull();
  });
});
