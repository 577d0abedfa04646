import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '../api/client';
import type { PersonalizeResponse, Replay, RiskFlag, Selection, Variant } from '../api/types';
import { Badge, Card, Empty, ErrorBox, Spinner } from '../components/ui';
import { segment, worstSeverity } from '../lib/highlight';
import { formErrors, sampleForm, toPersonalizeRequest, type PlaygroundForm } from '../lib/request';
import { navigate, paths } from '../lib/router';
import { usd, ms } from '../lib/format';

const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;

type Busy = null | 'generate' | 'regenerate' | 'replay' | `select-${number}`;

export function Playground({ onCreditsChanged, readOnly = false }: { onCreditsChanged: () => void; readOnly?: boolean }) {
  const [form, setForm] = useState<PlaygroundForm>(sampleForm);
  const [result, setResult] = useState<PersonalizeResponse | null>(null);
  const [edits, setEdits] = useState<Record<number, string>>({});
  const [selection, setSelection] = useState<Selection | null>(null);
  const [replay, setReplay] = useState<Replay | null>(null);
  const [replayModel, setReplayModel] = useState('');
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<unknown>(null);
  const [creditNote, setCreditNote] = useState<string | null>(null);

  const fieldErrors = error instanceof ApiError ? formErrors(error.errors) : {};

  async function run<T>(what: Busy, action: () => Promise<T>): Promise<T | undefined> {
    setBusy(what);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(null);
    }
  }

  async function generate(e: FormEvent) {
    e.preventDefault();
    if (readOnly) return;
    const r = await run('generate', () => api.post<PersonalizeResponse>('/personalize', toPersonalizeRequest(form)));
    if (r) {
      setResult(r);
      setEdits({});
      setSelection(null);
      setReplay(null);
      setCreditNote(`${credits(r.credits.charged)} charged · ${r.credits.remaining.toLocaleString()} remaining`);
      onCreditsChanged();
    }
  }

  async function regenerate() {
    if (!result) return;
    const r = await run('regenerate', () => api.post<PersonalizeResponse>(`/personalize/${result.request_id}/regenerate`));
    if (r) {
      setResult(r);
      setEdits({});
      setSelection(null);
      setReplay(null);
      setCreditNote(`Regenerated: ${credits(r.credits.charged)} charged · ${r.credits.remaining.toLocaleString()} remaining`);
      onCreditsChanged();
    }
  }

  async function select(index: number, override: boolean) {
    if (!result) return;
    const edited = edits[index];
    const body = {
      variant_index: index,
      edited_message: edited !== undefined && edited !== result.variants[index].message ? edited : undefined,
      override: override || undefined,
    };
    const s = await run(`select-${index}`, () => api.post<Selection>(`/personalize/${result.request_id}/select`, body));
    if (s) setSelection(s);
  }

  async function doReplay() {
    if (!result) return;
    const r = await run('replay', () =>
      api.post<Replay>(`/personalize/${result.request_id}/replay`, { model: replayModel.trim() || undefined }),
    );
    if (r) setReplay(r);
  }

  const set = (k: keyof PlaygroundForm) => (v: string | boolean) => setForm((f) => ({ ...f, [k]: v }));

  return (
    <div className="playground">
      <form className="card form-panel" onSubmit={generate} aria-label="Personalization request">
        <h2 className="card-title">Lead</h2>
        <div className="grid-2">
          <Text label="First name" name="firstName" value={form.firstName} onChange={set('firstName')} error={fieldErrors.firstName} />
          <Text label="Last name" name="lastName" value={form.lastName} onChange={set('lastName')} error={fieldErrors.lastName} />
          <Text label="Title" name="title" value={form.title} onChange={set('title')} error={fieldErrors.title} />
          <Text label="Company" name="companyName" value={form.companyName} onChange={set('companyName')} error={fieldErrors.companyName} />
        </div>
        <Text label="Domain" name="domain" value={form.domain} onChange={set('domain')} error={fieldErrors.domain} />
        <Text label="Email" hint="optional: checked against the do-not-contact list" name="email" value={form.email} onChange={set('email')} error={fieldErrors.email} />
        <h2 className="card-title">Company context</h2>
        <Text label="Summary" name="summary" value={form.summary} onChange={set('summary')} error={fieldErrors.summary} multiline />
        <Text label="Keywords" hint="comma-separated" name="keywords" value={form.keywords} onChange={set('keywords')} error={fieldErrors.keywords} />
        <Text label="Tech stack" hint="comma-separated" name="techStack" value={form.techStack} onChange={set('techStack')} error={fieldErrors.techStack} />
        <h2 className="card-title">Signals</h2>
        <Text label="Intent signals" hint="one per line or comma" name="intentSignals" value={form.intentSignals} onChange={set('intentSignals')} multiline />
        <Text label="CRM history" name="crmHistory" value={form.crmHistory} onChange={set('crmHistory')} multiline />
        <Text label="Behavioral" name="behavioral" value={form.behavioral} onChange={set('behavioral')} />
        <Text label="Technographics" name="technographics" value={form.technographics} onChange={set('technographics')} />
        <h2 className="card-title">Message</h2>
        <div className="grid-2">
          <Select label="Channel" name="channel" value={form.channel} options={['EMAIL', 'LINKEDIN', 'SMS']} onChange={set('channel')} />
          <Select label="Tone" name="tone" value={form.tone} options={['PROFESSIONAL', 'FRIENDLY', 'DIRECT']} onChange={set('tone')} />
          <Select label="Framework" name="framework" value={form.framework} options={['AIDA', 'PAS', 'BAB']} onChange={set('framework')} />
          <Select label="Variants" name="variantCount" value={form.variantCount} options={['1', '2', '3']} onChange={set('variantCount')} error={fieldErrors.variantCount} />
        </div>
        <Text label="Goal" name="goal" value={form.goal} onChange={set('goal')} error={fieldErrors.goal} />
        <Text label="Max words" name="maxWords" value={form.maxWords} onChange={set('maxWords')} error={fieldErrors.maxWords} inputMode="numeric" />
        <label className="check">
          <input type="checkbox" checked={form.noClaimsPolicy} onChange={(e) => set('noClaimsPolicy')(e.target.checked)} /> Strict no-claims prompt
        </label>
        {readOnly ? (
          <div className="notice notice-info" role="status" data-testid="read-only-notice">
            This API key is read-only (VIEWER): generating spends credits and needs a MEMBER or ADMIN key.
          </div>
        ) : null}
        <button className="btn btn-primary btn-block" type="submit" disabled={busy !== null || readOnly} data-testid="generate">
          {busy === 'generate' ? <Spinner label="Generating…" /> : 'Generate'}
        </button>
      </form>

      <div className="results">
        <ErrorBox error={error} />
        {!result && busy !== 'generate' ? (
          <Empty title="No variants yet">Fill in the lead and press Generate. Every prompt, output and selection is recorded for audit.</Empty>
        ) : null}
        {busy === 'generate' ? (
          <div className="loading-block">
            <Spinner label="Writing variants and running the guardrails…" />
          </div>
        ) : null}
        {result ? (
          <>
            <div className="result-bar">
              <div>
                <div className="muted small">Request</div>
                <code data-testid="request-id">{result.request_id}</code>
              </div>
              <div className="result-stats">
                <Badge tone="info">attempt set {result.attempt_set}</Badge>
                <Badge tone={result.attempts > 1 ? 'warn' : 'good'} title="model calls in this attempt set; 2 after a guardrail retry">
                  {result.attempts} {result.attempts === 1 ? 'call' : 'calls'}
                </Badge>
                {result.degraded ? <Badge tone="warn">degraded: low credits</Badge> : null}
                {creditNote ? (
                  <span className="credit-note" data-testid="credit-note">
                    {creditNote}
                  </span>
                ) : null}
              </div>
              <div className="result-actions">
                <button className="btn" onClick={regenerate} disabled={busy !== null || result.regenerations_left <= 0} title={`${result.regenerations_left} regenerations left`}>
                  {busy === 'regenerate' ? <Spinner label="Regenerating…" /> : `Regenerate (${result.regenerations_left} left)`}
                </button>
                <button className="btn" onClick={() => navigate(`${paths.audit}?request=${result.request_id}`)}>
                  Audit trail
                </button>
              </div>
            </div>
            {selection ? (
              <div className="notice notice-good" role="status" data-testid="selection-notice">
                Variant {selection.variant_index + 1} selected{selection.edited ? ' (edited)' : ''}
                {selection.overridden ? ' with a recorded override of its blocking findings' : ''}.
              </div>
            ) : null}
            <div className="variants" data-testid="variants">
              {result.variants.map((v, i) => (
                <VariantCard
                  key={`${result.attempt_set}-${i}`}
                  index={i}
                  variant={v}
                  edited={edits[i]}
                  onEdit={(text) => setEdits((e) => ({ ...e, [i]: text }))}
                  onResetEdit={() => setEdits((e) => Object.fromEntries(Object.entries(e).filter(([k]) => Number(k) !== i)))}
                  selected={selection?.variant_index === i && selection.attempt_set === result.attempt_set}
                  busy={busy === `select-${i}`}
                  disabled={busy !== null}
                  onSelect={(override) => select(i, override)}
                />
              ))}
            </div>
            <Card
              title="Replay"
              actions={
                <div className="inline-form">
                  <input className="input-small" placeholder="model (optional)" value={replayModel} onChange={(e) => setReplayModel(e.target.value)} aria-label="Replay model" />
                  <button className="btn" onClick={doReplay} disabled={busy !== null} data-testid="replay">
                    {busy === 'replay' ? <Spinner label="Replaying…" /> : 'Replay stored prompt'}
                  </button>
                </div>
              }
            >
              {replay ? (
                <ReplayView replay={replay} original={result.variants} />
              ) : (
                <p className="muted">Re-sends the exact stored prompt (optionally to another model) and compares the answer with the original.</p>
              )}
            </Card>
          </>
        ) : null}
      </div>
    </div>
  );
}

function VariantCard(props: {
  index: number;
  variant: Variant;
  edited: string | undefined;
  onEdit: (text: string) => void;
  onResetEdit: () => void;
  selected: boolean;
  busy: boolean;
  disabled: boolean;
  onSelect: (override: boolean) => void;
}) {
  const { index, variant: v, edited } = props;
  const [editing, setEditing] = useState(false);
  const [copied, setCopied] = useState(false);
  const [confirmOverride, setConfirmOverride] = useState(false);
  const text = edited ?? v.message;
  const isEdited = edited !== undefined && edited !== v.message;
  const words = text.trim() ? text.trim().split(/\s+/).length : 0;

  async function copy() {
    const full = v.subject ? `Subject: ${v.subject}\n\n${text}` : text;
    try {
      await navigator.clipboard.writeText(full);
    } catch {
      // Clipboard API refused (no permission / insecure origin): fall back to a hidden textarea.
      const area = document.createElement('textarea');
      area.value = full;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }

  return (
    <article className={`variant ${v.blocked ? 'variant-blocked' : ''} ${props.selected ? 'variant-selected' : ''}`} data-testid="variant">
      <header className="variant-head">
        <span className="variant-title">Variant {index + 1}</span>
        <span className="variant-badges">
          {v.blocked ? <Badge tone="bad">blocked</Badge> : v.risk_flags.length ? <Badge tone="warn">{v.risk_flags.length} warnings</Badge> : <Badge tone="good">passed</Badge>}
          {isEdited ? <Badge tone="info">edited</Badge> : null}
          {props.selected ? <Badge tone="good">selected</Badge> : null}
        </span>
      </header>
      {v.subject ? (
        <div className="variant-subject">
          <span className="muted small">Subject</span>
          <div>
            <Highlighted text={v.subject} flags={v.risk_flags} part="SUBJECT" />
          </div>
        </div>
      ) : null}
      {editing ? (
        <textarea className="variant-editor" value={text} onChange={(e) => props.onEdit(e.target.value)} rows={10} aria-label={`Edit variant ${index + 1}`} autoFocus />
      ) : (
        <div className="variant-message" data-testid="variant-message">
          {isEdited ? text : <Highlighted text={v.message} flags={v.risk_flags} part="BODY" />}
        </div>
      )}
      <div className="muted small">{words} words</div>
      {v.personalization_points.length ? (
        <div className="variant-section">
          <div className="section-label">Personalization</div>
          <ul className="points">
            {v.personalization_points.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {v.risk_flags.length ? (
        <div className="variant-section">
          <div className="section-label">Risk flags</div>
          <ul className="flags">
            {v.risk_flags.map((f, i) => (
              <li key={i}>
                <Badge tone={f.severity === 'BLOCK' ? 'bad' : 'warn'}>{f.severity}</Badge> <code>{f.code}</code> {f.detail}
                {f.span ? <span className="muted"> — “{f.span.text}”</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {isEdited ? <p className="muted small">Edits are re-checked by the guardrails when you select.</p> : null}
      <footer className="variant-actions">
        <button className="btn btn-small" onClick={copy}>
          {copied ? 'Copied ✓' : 'Copy'}
        </button>
        <button className="btn btn-small" onClick={() => setEditing((x) => !x)}>
          {editing ? 'Done' : 'Edit'}
        </button>
        {isEdited ? (
          <button className="btn btn-small btn-ghost" onClick={props.onResetEdit}>
            Reset
          </button>
        ) : null}
        <span className="spacer" />
        {v.blocked && !confirmOverride ? (
          <button className="btn btn-small btn-danger" onClick={() => setConfirmOverride(true)} disabled={props.disabled}>
            Override…
          </button>
        ) : v.blocked ? (
          <button className="btn btn-small btn-danger" onClick={() => props.onSelect(true)} disabled={props.disabled}>
            {props.busy ? <Spinner label="Selecting…" /> : 'Confirm override & select'}
          </button>
        ) : (
          <button className="btn btn-small btn-primary" onClick={() => props.onSelect(false)} disabled={props.disabled} data-testid="select">
            {props.busy ? <Spinner label="Selecting…" /> : 'Select'}
          </button>
        )}
      </footer>
    </article>
  );
}

export function Highlighted({ text, flags, part }: { text: string; flags: RiskFlag[]; part: 'BODY' | 'SUBJECT' }) {
  return (
    <>
      {segment(text, flags, part).map((s, i) =>
        s.flags.length ? (
          <mark key={i} className={`flag flag-${worstSeverity(s.flags)?.toLowerCase()}`} title={s.flags.map((f) => `${f.code}: ${f.detail}`).join('\n')}>
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

function ReplayView({ replay, original }: { replay: Replay; original: Variant[] }) {
  const c = replay.comparison;
  if (replay.failure || replay.parse_error) {
    return <ErrorBox error={new ApiError(0, 'The replay did not produce variants', replay.failure ?? replay.parse_error, null)} />;
  }
  return (
    <div className="replay" data-testid="replay-view">
      <div className="replay-summary">
        {c ? (
          <>
            <Badge tone={c.same_raw_output ? 'good' : 'warn'}>{c.same_raw_output ? 'identical raw output' : 'raw output differs'}</Badge>
            <span>
              model <code>{c.original_model}</code> → <code>{c.replay_model ?? replay.output?.model ?? '—'}</code>
            </span>
            <span>
              variants {c.original_variant_count} → {c.replay_variant_count}
            </span>
          </>
        ) : null}
        {replay.output ? (
          <span className="muted">
            {ms(replay.output.latency_ms)} · {replay.output.input_tokens}+{replay.output.output_tokens} tokens · {usd(replay.output.cost_usd)}
          </span>
        ) : null}
      </div>
      <div className="replay-grid">
        <div className="replay-col-head">Original</div>
        <div className="replay-col-head">Replay</div>
        {Array.from({ length: Math.max(original.length, replay.variants.length) }).map((_, i) => {
          const cmp = c?.variants.find((x) => x.index === i);
          return (
            <ReplayRow key={i} index={i} original={original[i]?.message} replayed={replay.variants[i]?.message}>
              {cmp ? (
                <div className="replay-cmp">
                  <Badge tone={cmp.same_message ? 'good' : 'warn'}>{cmp.same_message ? 'same message' : 'changed'}</Badge>
                  <Badge tone={cmp.replay_passed ? 'good' : 'bad'}>{cmp.replay_passed ? 'replay passed' : 'replay blocked'}</Badge>
                  {cmp.flags_added.map((f) => (
                    <Badge key={`a${f}`} tone="bad">+{f}</Badge>
                  ))}
                  {cmp.flags_removed.map((f) => (
                    <Badge key={`r${f}`} tone="good">−{f}</Badge>
                  ))}
                </div>
              ) : null}
            </ReplayRow>
          );
        })}
      </div>
    </div>
  );
}

function ReplayRow({ index, original, replayed, children }: { index: number; original?: string; replayed?: string; children: ReactNode }) {
  return (
    <>
      <div className="replay-cell">
        <div className="muted small">Variant {index + 1}</div>
        {original ?? <span className="muted">—</span>}
      </div>
      <div className={`replay-cell ${original !== replayed ? 'replay-diff' : ''}`}>
        <div className="muted small">Variant {index + 1}</div>
        {replayed ?? <span className="muted">—</span>}
        {children}
      </div>
    </>
  );
}

function Text(props: {
  label: string;
  name: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
  multiline?: boolean;
  inputMode?: 'numeric';
}) {
  return (
    <label className={`field ${props.error ? 'field-error' : ''}`}>
      <span>
        {props.label} {props.hint ? <em className="muted">({props.hint})</em> : null}
      </span>
      {props.multiline ? (
        <textarea name={props.name} value={props.value} rows={3} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input name={props.name} value={props.value} inputMode={props.inputMode} onChange={(e) => props.onChange(e.target.value)} />
      )}
      {props.error ? <small className="field-message">{props.error}</small> : null}
    </label>
  );
}

function Select(props: { label: string; name: string; value: string; options: string[]; onChange: (v: string) => void; error?: string }) {
  return (
    <label className={`field ${props.error ? 'field-error' : ''}`}>
      <span>{props.label}</span>
      <select name={props.name} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o.charAt(0) + o.slice(1).toLowerCase()}
          </option>
        ))}
      </select>
      {props.error ? <small className="field-message">{props.error}</small> : null}
    </label>
  );
}
