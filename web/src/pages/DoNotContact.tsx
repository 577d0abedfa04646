import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { Badge, Card, Empty, ErrorBox, Spinner } from '../components/ui';
import { formatDateTime } from '../lib/format';

// The organization's do-not-contact list (ADR 0031): /personalize refuses a listed lead.email. Any working key adds,
// only an ADMIN key lifts (with a reason); a VIEWER key reads.

export interface SuppressionEntry {
  email: string | null; // null once the address was erased: the entry is kept by its hash
  source: 'API' | 'INBOUND_UNSUBSCRIBE' | string;
  reason: string | null;
  inbound_id: string | null;
  suppressed_at: string;
}

interface SuppressionPage {
  items: SuppressionEntry[];
  next: string | null;
}

const pageSize = 50;

export function DoNotContact({ role }: { role: string | null }) {
  const [items, setItems] = useState<SuppressionEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [email, setEmail] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [lifting, setLifting] = useState<string | null>(null);
  const [liftReason, setLiftReason] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const canAdd = role !== 'VIEWER';
  const canLift = role === null || role === 'ADMIN';

  const load = useCallback(async (after: string | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<SuppressionPage>(`/suppressions?limit=${pageSize}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      setItems((current) => (after ? [...current, ...page.items] : page.items));
      setNext(page.next);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load]);

  async function add(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const entry = await api.post<SuppressionEntry>('/suppressions', { email: email.trim(), reason: reason.trim() || undefined });
      setNotice(`${entry.email ?? email.trim()} is on the list (since ${formatDateTime(entry.suppressed_at)}).`);
      setEmail('');
      setReason('');
      await load(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function lift(address: string) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await api.post(`/suppressions/${encodeURIComponent(address)}/lift`, { reason: liftReason.trim() });
      setNotice(`${address} may be contacted again.`);
      setLifting(null);
      setLiftReason('');
      await load(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Do not contact" className="do-not-contact">
      <p className="muted">
        Addresses that outreach must not be written for: the Playground and the API refuse a lead whose email is listed, before anything is
        generated or charged. A message classified as an unsubscribe request adds its sender here. An erased address stays listed by its hash.
      </p>
      {canAdd ? (
        <form onSubmit={add} className="inline-form" aria-label="Add to the do-not-contact list">
          <label className="field field-inline">
            <span>Email address</span>
            <input name="suppressEmail" type="email" value={email} onChange={(e) => setEmail(e.target.value)} placeholder="lead@company.example" />
          </label>
          <label className="field field-inline">
            <span>Reason (optional)</span>
            <input name="suppressReason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Asked by phone" />
          </label>
          <button className="btn" type="submit" disabled={busy || !email.trim()}>
            {busy && !lifting ? <Spinner label="Adding…" /> : 'Add to the list'}
          </button>
        </form>
      ) : null}
      {notice ? (
        <div className="notice notice-good" role="status" data-testid="suppression-notice">
          {notice}
        </div>
      ) : null}
      <ErrorBox error={error} />
      {items.length === 0 && !loading ? (
        <Empty title="Nobody on the list">No address of this organization is suppressed.</Empty>
      ) : (
        <table className="table" data-testid="suppressions">
          <thead>
            <tr>
              <th>Address</th>
              <th>Since</th>
              <th>Source</th>
              <th>Reason</th>
              {canLift ? <th /> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((s, i) => (
              <tr key={`${s.email ?? 'erased'}-${s.suppressed_at}-${i}`}>
                <td>{s.email ? <code>{s.email}</code> : <em className="muted" title="Erased: kept by the address's hash only">erased address</em>}</td>
                <td>{formatDateTime(s.suppressed_at)}</td>
                <td>
                  <Badge tone={s.source === 'INBOUND_UNSUBSCRIBE' ? 'info' : 'neutral'}>{s.source === 'INBOUND_UNSUBSCRIBE' ? 'unsubscribe reply' : 'added'}</Badge>
                </td>
                <td>{s.reason ?? ''}</td>
                {canLift ? (
                  <td>
                    {s.email === null ? null : lifting === s.email ? (
                      <span className="inline-form">
                        <input
                          className="input-small"
                          name="liftReason"
                          aria-label={`Why ${s.email} may be contacted again`}
                          value={liftReason}
                          onChange={(e) => setLiftReason(e.target.value)}
                          placeholder="Opted in again on the web form"
                        />
                        <button className="btn btn-danger btn-small" type="button" disabled={busy || !liftReason.trim()} onClick={() => void lift(s.email!)}>
                          Lift
                        </button>
                        <button className="btn btn-ghost btn-small" type="button" onClick={() => setLifting(null)}>
                          Cancel
                        </button>
                      </span>
                    ) : (
                      <button className="btn btn-ghost btn-small" type="button" onClick={() => { setLifting(s.email); setLiftReason(''); }}>
                        Lift…
                      </button>
                    )}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {loading ? <Spinner /> : null}
      {next && !loading ? (
        <button className="btn btn-ghost" type="button" onClick={() => void load(next)}>
          Load more
        </button>
      ) : null}
    </Card>
  );
}
