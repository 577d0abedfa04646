import { describe, expect, it } from 'vitest';
import { formErrors, normalizeGuid, sampleForm, splitList, streamIdOf, toPersonalizeRequest } from './request';

describe('toPersonalizeRequest', () => {
  it('maps the form to the snake_case request the host expects', () => {
    const r = toPersonalizeRequest({ ...sampleForm, keywords: 'freight,  retail\nFreight, ', variantCount: '3', maxWords: '90' });
    expect(r.channel).toBe('EMAIL');
    expect(r.variant_count).toBe(3);
    expect(r.lead.first_name).toBe('Dana');
    expect(r.lead.company_name).toBe('Northwind Logistics');
    expect(r.company_context.keywords).toEqual(['freight', 'retail']);
    expect(r.company_context.tech_stack).toEqual(['Salesforce', 'HubSpot']);
    expect(r.signals.intent_signals).toEqual(['Hiring three account executives']);
    expect(r.signals.technographics).toEqual([]);
    expect(r.constraints).toEqual({ max_words: 90, include_subjects: true, no_claims_policy: true });
  });

  it('leaves optional lead fields out when blank and asks for no subjects outside email', () => {
    const r = toPersonalizeRequest({ ...sampleForm, lastName: '  ', domain: '', channel: 'LINKEDIN' });
    expect(r.lead.last_name).toBeUndefined();
    expect(r.lead.domain).toBeUndefined();
    expect(r.constraints.include_subjects).toBe(false);
    expect(JSON.parse(JSON.stringify(r)).lead).not.toHaveProperty('domain');
  });

  it('sends a mistyped number as null so that the host names the field', () => {
    const r = toPersonalizeRequest({ ...sampleForm, maxWords: '12x', variantCount: '' });
    expect(r.constraints.max_words).toBeNull();
    expect(r.variant_count).toBeNull();
  });
});

describe('splitList', () => {
  it('splits on commas and new lines, trims and drops duplicates ignoring case', () => {
    expect(splitList(' a, b\n\nA ,c,')).toEqual(['a', 'b', 'c']);
  });
});

describe('formErrors', () => {
  it('puts problem field errors on the matching inputs, list items on their list', () => {
    expect(
      formErrors({ 'lead.domain': ['must be a domain name'], 'company_context.keywords[2]': ['must not be empty'], unknown: ['x'] }),
    ).toEqual({ domain: 'must be a domain name', keywords: 'must not be empty' });
  });
});

describe('streamIdOf', () => {
  const id = '3F2B8C1D-4E5F-4a6b-8c7d-9e0f1a2b3c4d';
  it('opens personalization-{id without dashes} for a request id', () => {
    expect(streamIdOf('request', id)).toBe('personalization-3f2b8c1d4e5f4a6b8c7d9e0f1a2b3c4d');
  });
  it('opens inbound-{id} with dashes for an inbound id, typed with or without dashes', () => {
    expect(streamIdOf('inbound', id.replace(/-/g, ''))).toBe('inbound-3f2b8c1d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
  });
  it('takes a stream id as typed and rejects what is not a GUID for the other kinds', () => {
    expect(streamIdOf('stream', ' credit-ledger-2026-11 ')).toBe('credit-ledger-2026-11');
    expect(streamIdOf('request', 'not-a-guid')).toBeNull();
    expect(normalizeGuid('xyz')).toBeNull();
  });
});
