import type { Channel, Framework, PersonalizeRequest, Tone } from '../api/types';

/** The playground form as the user types it: lists are comma- or newline-separated text. */
export interface PlaygroundForm {
  firstName: string;
  lastName: string;
  title: string;
  companyName: string;
  domain: string;
  email: string;
  summary: string;
  keywords: string;
  techStack: string;
  crmHistory: string;
  technographics: string;
  intentSignals: string;
  behavioral: string;
  channel: Channel;
  tone: Tone;
  goal: string;
  framework: Framework;
  variantCount: string;
  maxWords: string;
  includeSubjects: boolean;
  noClaimsPolicy: boolean;
}

export const sampleForm: PlaygroundForm = {
  firstName: 'Dana',
  lastName: 'Reyes',
  title: 'VP of Sales',
  companyName: 'Northwind Logistics',
  domain: 'northwind.example',
  email: '',
  summary: 'Northwind Logistics runs regional freight for mid-size retailers and is expanding its outbound sales team.',
  keywords: 'freight, retail, expansion',
  techStack: 'Salesforce, HubSpot',
  crmHistory: 'Downloaded the pipeline hygiene guide',
  technographics: '',
  intentSignals: 'Hiring three account executives',
  behavioral: 'Visited the pricing page twice',
  channel: 'EMAIL',
  tone: 'PROFESSIONAL',
  goal: 'Book a 20-minute intro call',
  framework: 'AIDA',
  variantCount: '3',
  maxWords: '120',
  includeSubjects: true,
  noClaimsPolicy: true,
};

/** Splits on commas and new lines, trims, drops empties and duplicates (keeping the first spelling). */
export function splitList(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[,\n]/)) {
    const item = raw.trim();
    if (item && !seen.has(item.toLowerCase())) {
      seen.add(item.toLowerCase());
      out.push(item);
    }
  }
  return out;
}

function optional(text: string): string | undefined {
  const t = text.trim();
  return t ? t : undefined;
}

/** Numbers the user left blank or mistyped are sent as NaN → null so the host names the field in its 400. */
function toInt(text: string): number {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number.parseInt(t, 10) : (null as unknown as number);
}

export function toPersonalizeRequest(f: PlaygroundForm): PersonalizeRequest {
  return {
    channel: f.channel,
    tone: f.tone,
    goal: f.goal.trim(),
    framework: f.framework,
    variant_count: toInt(f.variantCount),
    lead: {
      first_name: f.firstName.trim(),
      last_name: optional(f.lastName),
      title: optional(f.title),
      company_name: f.companyName.trim(),
      domain: optional(f.domain),
      email: optional(f.email),
    },
    company_context: { summary: f.summary.trim(), keywords: splitList(f.keywords), tech_stack: splitList(f.techStack) },
    signals: {
      crm_history: splitList(f.crmHistory),
      technographics: splitList(f.technographics),
      intent_signals: splitList(f.intentSignals),
      behavioral: splitList(f.behavioral),
    },
    constraints: { max_words: toInt(f.maxWords), include_subjects: f.channel === 'EMAIL' && f.includeSubjects, no_claims_policy: f.noClaimsPolicy },
  };
}

/** Maps a problem's field names (snake_case paths such as lead.first_name) to the form's inputs, for inline errors. */
export const fieldOfProblemKey: Record<string, keyof PlaygroundForm> = {
  channel: 'channel',
  tone: 'tone',
  goal: 'goal',
  framework: 'framework',
  variant_count: 'variantCount',
  'lead.first_name': 'firstName',
  'lead.last_name': 'lastName',
  'lead.title': 'title',
  'lead.company_name': 'companyName',
  'lead.domain': 'domain',
  'lead.email': 'email',
  'company_context.summary': 'summary',
  'company_context.keywords': 'keywords',
  'company_context.tech_stack': 'techStack',
  'constraints.max_words': 'maxWords',
};

export function formErrors(errors: Record<string, string[]> | null): Partial<Record<keyof PlaygroundForm, string>> {
  const out: Partial<Record<keyof PlaygroundForm, string>> = {};
  if (!errors) return out;
  for (const [key, messages] of Object.entries(errors)) {
    const normalized = key.replace(/\[\d+\]/g, '').replace(/^\$\./, '');
    const field = fieldOfProblemKey[normalized];
    if (field && !out[field]) out[field] = messages.join(' ');
  }
  return out;
}

export type StreamKind = 'request' | 'inbound' | 'stream';

const guid = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Dashed lower-case form of a GUID typed with or without dashes; null when it is not one. */
export function normalizeGuid(input: string): string | null {
  const t = input.trim();
  if (!guid.test(t)) return null;
  const h = t.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The event stream to open: a personalization request lives in personalization-{id without dashes}, an inbound
 * message in inbound-{id with dashes}; anything else is taken as a stream id as typed.
 */
export function streamIdOf(kind: StreamKind, input: string): string | null {
  const t = input.trim();
  if (!t) return null;
  if (kind === 'stream') return t;
  const id = normalizeGuid(t);
  if (!id) return null;
  return kind === 'request' ? `personalization-${id.replace(/-/g, '')}` : `inbound-${id}`;
}
