import { describe, expect, it } from 'vitest';
import { nextIndex } from './keys';
import { pivotCostByModel } from './kpi';
import { parseLocation } from './router';
import { addDays, relativeTo } from './format';

describe('nextIndex (j/k)', () => {
  it('moves within the list and stops at both ends', () => {
    expect(nextIndex(0, 3, 1)).toBe(1);
    expect(nextIndex(2, 3, 1)).toBe(2);
    expect(nextIndex(0, 3, -1)).toBe(0);
    expect(nextIndex(5, 0, 1)).toBe(0);
  });
});

describe('pivotCostByModel', () => {
  it('sums modules per model and day and sorts days', () => {
    const p = pivotCostByModel([
      { day: '2026-11-02', model: 'gpt', costUsd: '0.5' },
      { day: '2026-11-01', model: 'gpt', costUsd: 0.25 },
      { day: '2026-11-01', model: 'gpt', costUsd: 0.25 },
      { day: '2026-11-01', model: 'offline', costUsd: 0 },
    ]);
    expect(p.models).toEqual(['gpt', 'offline']);
    expect(p.rows).toEqual([
      { day: '2026-11-01', gpt: 0.5, offline: 0 },
      { day: '2026-11-02', gpt: 0.5 },
    ]);
  });
});

describe('parseLocation', () => {
  it('maps client routes to pages and keeps the playground as the default', () => {
    expect(parseLocation('/explorer', '?request=abc').page).toBe('audit');
    expect(parseLocation('/explorer', '?request=abc').query.get('request')).toBe('abc');
    expect(parseLocation('/approvals', '').page).toBe('approvals');
    expect(parseLocation('/data-requests', '').page).toBe('privacy');
    expect(parseLocation('/', '').page).toBe('playground');
    expect(parseLocation('/nope', '').page).toBe('playground');
  });
});

describe('dates', () => {
  it('adds UTC days across month ends and describes due times relative to now', () => {
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(relativeTo('2026-11-22T13:00:00Z', now)).toBe('in 3 h');
    expect(relativeTo('2026-11-22T09:50:00Z', now)).toBe('10 min ago');
    expect(relativeTo(new Date(now + 3_600_000 - 20).toISOString(), now)).toBe('in 1 h');
    expect(relativeTo('2026-11-24T10:00:00Z', now)).toBe('in 2 d');
  });
});
