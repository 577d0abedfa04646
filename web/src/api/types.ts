// Wire shapes of the host's JSON (snake_case, UPPER_CASE enums); see the *.Contracts projects and docs/CONTRACTS.

export type Channel = 'EMAIL' | 'LINKEDIN' | 'SMS';
export type Tone = 'PROFESSIONAL' | 'FRIENDLY' | 'DIRECT';
export type Framework = 'AIDA' | 'PAS' | 'BAB';

export interface PersonalizeRequest {
  channel: Channel;
  tone: Tone;
  goal: string;
  framework: Framework;
  variant_count: number;
  lead: { first_name: string; last_name?: string; title?: string; company_name: string; domain?: string; email?: string };
  company_context: { summary: string; keywords: string[]; tech_stack: string[] };
  signals: { crm_history: string[]; technographics: string[]; intent_signals: string[]; behavioral: string[] };
  constraints: { max_words: number; include_subjects: boolean; no_claims_policy: boolean };
}

export interface FlagSpan {
  start: number;
  length: number;
  text: string;
  part: 'BODY' | 'SUBJECT';
}

export interface RiskFlag {
  code: string;
  severity: 'WARN' | 'BLOCK';
  detail: string;
  span: FlagSpan | null;
}

export interface Variant {
  subject?: string;
  message: string;
  personalization_points: string[];
  risk_flags: RiskFlag[];
  blocked: boolean;
}

export interface PersonalizeResponse {
  request_id: string;
  variants: Variant[];
  attempts: number;
  credits: { charged: number; remaining: number };
  attempt_set: number;
  degraded: boolean;
  regenerations_left: number;
}

export interface Selection {
  attempt_set: number;
  variant_index: number;
  message: string;
  edited: boolean;
  overridden: boolean;
  risk_flags: RiskFlag[];
  at: string;
}

export interface ParsedVariant {
  subject: string | null;
  message: string;
  personalization_points: string[];
}

export interface Verdict {
  variant_index: number;
  passed: boolean;
  flags: RiskFlag[];
}

export interface ModelOutput {
  raw: string;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: number;
}

export interface Replay {
  request_id: string;
  replay_id: string;
  attempt_set: number;
  attempt: number;
  requested_model: string | null;
  output: ModelOutput | null;
  failure: string | null;
  parse_error: string | null;
  variants: ParsedVariant[];
  verdicts: Verdict[];
  comparison: {
    same_raw_output: boolean;
    original_model: string;
    replay_model: string | null;
    original_parsed: boolean | null;
    replay_parsed: boolean;
    original_variant_count: number;
    replay_variant_count: number;
    variants: {
      index: number;
      same_message: boolean;
      original_passed: boolean | null;
      replay_passed: boolean;
      flags_added: string[];
      flags_removed: string[];
    }[];
  } | null;
  at: string;
}

export interface AttemptSet {
  number: number;
  reason: string;
  attempts: { number: number; output: ModelOutput | null; variants: ParsedVariant[] }[];
  variants: Variant[] | null;
}

export interface PersonalizationRecord {
  request_id: string;
  attempt_sets: AttemptSet[];
  selection: Selection | null;
}

export interface DraftView {
  draft_id: string;
  inbound_id: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  subject: string;
  text: string;
  from: { email: string; name: string | null };
  original_subject: string;
  original_text: string;
  classification: { intent: string; urgency: string; owner: string; policy_flags: string[]; confidence: number } | null;
  reasons: string[];
  sla_due_at: string | null;
  created_at: string;
  decided_path: string;
  risk_flags: RiskFlag[];
}
