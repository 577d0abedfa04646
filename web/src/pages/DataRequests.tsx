import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { Badge, Card, Empty, ErrorBox, Spinner } from '../components/ui';
import { paths } from '../lib/router';
import { DoNotContact } from './DoNotContact';

// Erasure of a data subject's personal data (ADR 0030): preview with a dry run, then erase. ADMIN keys only (the host
// refuses other roles with a 403; the page says so before anyone types an address).

interface ErasedStream {
  stream_id: string;
  stream_type: string;
  events_mentioning: number;
  chain_valid_before: boolean;
  first_broken_version_before: number | null;
}

interface KeptStream {
  stream_id: string;
  stream_type: string;
  events_mentioning: number;
  why: string;
}

export interface ErasureReport {
  erasure_id: string | null;
  dry_run: boolean;
  subject_sha256: string;
  reason: string;
  streams: ErasedStream[];
  previously_erased_streams: number;
  events_erased: number;
  kept: KeptStream[];
  read_models: Record<string, number>;
  subscriptions_caught_up: boolean;
  not_covered: string[];
  at: string;
}

function explorerLink(streamId: string): string {
  return `${paths.audit}?stream=${encodeURIComponent(streamId)}`;
}

export function DataRequests({ role }: { role: string | null }) {
  const [email, setEmail] = useState('');
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<ErasureReport | null>(null);
  const [done, setDone] = useState<ErasureReport | null>(null);
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [previewFor, setPreviewFor] = useState('');
  const admin = role === null || role === 'ADMIN';
  // The preview answers for exactly this address and reason; changing either asks for a new one.
  const previewed = preview !== null && preview.reason === reason.trim() && previewFor === email.trim().toLowerCase();

  async function run(dryRun: boolean) {
    setBusy(true);
    setError(null);
    try {
      const report = await api.post<ErasureReport>('/privacy/erasures', { email: email.trim(), reason: reason.trim(), dry_run: dryRun });
      if (dryRun) {
        setPreview(report);
        setPreviewFor(email.trim().toLowerCase());
        setDone(null);
      } else {
        setDone(report);
        setPreview(null);
        setConfirm('');
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function submitPreview(e: FormEvent) {
    e.preventDefault();
    void run(true);
  }

  return (
    <div className="stack">
      <Card title="Erase a person's data">
        <p className="muted">
          Everything this organization holds about one email address: the messages that mention it and their handling, drafts, QA samples, the
          contact directory and history, failed messages. Hash chains stay verifiable; the erasure is recorded with a hash of the address, never
          the address.
        </p>
        {!admin ? (
          <div className="notice notice-bad" role="status" data-testid="erasure-needs-admin">
            Erasure needs an ADMIN key; this session's key is {role}.
          </div>
        ) : null}
        <form onSubmit={submitPreview} className="stack">
          <label className="field">
            <span>Email address</span>
            <input name="erasureEmail" type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="jane@customer.example" disabled={!admin} />
          </label>
          <label className="field">
            <span>Reason (kept in the record; not the address)</span>
            <input name="erasureReason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="GDPR Art. 17 request #42" disabled={!admin} />
          </label>
          <button className="btn" type="submit" disabled={!admin || busy || !email.trim() || !reason.trim()}>
            {busy && !previewed ? <Spinner label="Searching…" /> : 'Preview'}
          </button>
        </form>
        <ErrorBox error={error} />
      </Card>

      {preview ? (
        <Card title="What would be erased" className="erasure-preview">
          {preview.streams.length === 0 && preview.previously_erased_streams === 0 ? (
            <Empty title="Nothing mentions this address">No stream of this organization mentions it.</Empty>
          ) : (
            <>
              <p data-testid="erasure-preview-summary">
                {preview.events_erased} events in {preview.streams.length} streams
                {preview.previously_erased_streams > 0 ? `, and ${preview.previously_erased_streams} streams erased before (cleaned again)` : ''}.
              </p>
              <StreamTable streams={preview.streams} />
            </>
          )}
          {preview.kept.length > 0 ? (
            <>
              <h4>Kept (the system's own records)</h4>
              <ul>
                {preview.kept.map((k) => (
                  <li key={k.stream_id}>
                    <code>{k.stream_id}</code> ({k.stream_type}): {k.why}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <NotCovered items={preview.not_covered} />
          <div className="stack">
            <label className="field">
              <span>Type the address again to erase it permanently</span>
              <input name="erasureConfirm" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
            </label>
            <button
              className="btn btn-danger"
              type="button"
              onClick={() => void run(false)}
              disabled={!previewed || busy || confirm.trim().toLowerCase() !== email.trim().toLowerCase()}
            >
              {busy ? <Spinner label="Erasing…" /> : 'Erase permanently'}
            </button>
            {!previewed ? <small className="muted">The address or the reason changed: preview again.</small> : null}
          </div>
        </Card>
      ) : null}

      {done ? (
        <Card title="Erased" className="erasure-done">
          <div className="notice notice-good" role="status" data-testid="erasure-result">
            {done.events_erased} events erased in {done.streams.length} streams
            {done.previously_erased_streams > 0 ? ` (and ${done.previously_erased_streams} earlier streams cleaned again)` : ''}.
          </div>
          <p>
            Record:{' '}
            <a href={explorerLink(`privacy-erasure-${(done.erasure_id ?? '').replaceAll('-', '')}`)} data-testid="erasure-record">
              privacy-erasure-{(done.erasure_id ?? '').replaceAll('-', '')}
            </a>{' '}
            · subject hash <code className="small">{done.subject_sha256.slice(0, 16)}…</code>
          </p>
          <ul>
            {Object.entries(done.read_models).map(([name, rows]) => (
              <li key={name}>
                {name}: {rows} rows
              </li>
            ))}
          </ul>
          {!done.subscriptions_caught_up ? (
            <div className="notice notice-bad" role="status">
              Some projections had not caught up: erase the address again in a minute to clean what they may have written back.
            </div>
          ) : null}
          <StreamTable streams={done.streams} />
          <NotCovered items={done.not_covered} />
        </Card>
      ) : null}

      <DoNotContact role={role} />
    </div>
  );
}

function StreamTable({ streams }: { streams: ErasedStream[] }) {
  if (streams.length === 0) return null;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Stream</th>
          <th>Type</th>
          <th>Events naming the address</th>
          <th>Chain before</th>
        </tr>
      </thead>
      <tbody>
        {streams.map((s) => (
          <tr key={s.stream_id}>
            <td>
              <a href={explorerLink(s.stream_id)}>
                <code>{s.stream_id}</code>
              </a>
            </td>
            <td>{s.stream_type}</td>
            <td>{s.events_mentioning}</td>
            <td>
              {s.chain_valid_before ? (
                <Badge tone="good">valid</Badge>
              ) : (
                <Badge tone="bad" title="The chain was already broken before this erasure; the record keeps that">
                  broken at v{s.first_broken_version_before}
                </Badge>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NotCovered({ items }: { items: string[] }) {
  return (
    <details>
      <summary>What an erasure cannot reach</summary>
      <ul>
        {items.map((i) => (
          <li key={i}>{i}</li>
        ))}
      </ul>
    </details>
  );
}
