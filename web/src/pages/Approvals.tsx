import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { DraftView } from '../api/types';
import { Badge, Card, Empty, ErrorBox, Spinner } from '../components/ui';
import { formatDateTime, relativeTo } from '../lib/format';
import { navigate, paths } from '../lib/router';
import { Highlighted } from './Playground';
import { nextIndex } from '../lib/keys';
import { approveBody, blockedEdit, findingCounts, loadPages, pendingDraftsPath, QUEUE_MAX_DRAFTS, type BlockedEdit, type Page } from '../lib/drafts';

type Mode = 'view' | 'edit' | 'reject';

export function Approvals({ readOnly = false }: { readOnly?: boolean }) {
  const [drafts, setDrafts] = useState<DraftView[] | null>(null);
  // More pending drafts exist than were loaded (QUEUE_MAX_DRAFTS, the oldest): the queue says so instead of looking complete.
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [index, setIndex] = useState(0);
  const [mode, setMode] = useState<Mode>('view');
  const [editText, setEditText] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<null | 'approve' | 'reject'>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  // A 422 from approve: the text to send (edited or not) failed the guardrail re-check. Kept until the text changes or the draft is sent.
  const [blocked, setBlocked] = useState<BlockedEdit | null>(null);
  const editorRef = useRef<HTMLTextAreaElement>(null);
  const reasonRef = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setLoadError(null);
    try {
      // Oldest first, page by page: the API returns at most 500 a request and says with `next` that more follow.
      const r = await loadPages((after) => api.get<Page<DraftView>>(pendingDraftsPath(after)), QUEUE_MAX_DRAFTS);
      setDrafts(r.items);
      setMore(r.more);
      setIndex((i) => Math.min(i, Math.max(0, r.items.length - 1)));
    } catch (e) {
      setLoadError(e);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    load();
  }, [load]);

  const current = drafts?.[index];

  // The next draft moves into the decided one's place; after the last one, the previous becomes current.
  const removeDecided = useCallback((draftId: string) => setDrafts((d) => d?.filter((x) => x.draft_id !== draftId) ?? null), []);
  useEffect(() => {
    if (drafts && index > 0 && index >= drafts.length) setIndex(Math.max(0, drafts.length - 1));
  }, [drafts, index]);

  useEffect(() => {
    setMode('view');
    setEditText(current?.text ?? '');
    setReason('');
    setActionError(null);
    setBlocked(null);
  }, [current?.draft_id]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (mode === 'edit') editorRef.current?.focus();
    if (mode === 'reject') reasonRef.current?.focus();
  }, [mode]);

  const approve = useCallback(
    async (override = false) => {
      if (!current) return;
      setBusy('approve');
      setActionError(null);
      const edited = editText.trim() && editText !== current.text ? editText : undefined;
      try {
        await api.post<DraftView>(`/drafts/${current.draft_id}/approve`, approveBody(edited, override));
        setDone(override ? `Sent despite guardrail findings (override recorded): “${current.subject}”` : `Approved${edited ? ' with edits' : ''}: “${current.subject}”`);
        setBlocked(null);
        removeDecided(current.draft_id);
      } catch (e) {
        // Edited or not, the text to send is re-checked (the organization's policy may have changed since drafting).
        const refused = blockedEdit(e, edited ?? current.text);
        if (refused) {
          setBlocked(refused);
          setMode('view');
        } else {
          setActionError(e);
        }
      } finally {
        setBusy(null);
      }
    },
    [current, editText, removeDecided],
  );

  const reject = useCallback(async () => {
    if (!current) return;
    if (!reason.trim()) {
      setActionError(new ApiError(0, 'A reason is required', 'Say why the draft is rejected; it becomes a training example.', null));
      return;
    }
    setBusy('reject');
    setActionError(null);
    try {
      await api.post<DraftView>(`/drafts/${current.draft_id}/reject`, { reason: reason.trim() });
      setDone(`Rejected: “${current.subject}”`);
      removeDecided(current.draft_id);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  }, [current, reason, removeDecided]);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      const typing = target.tagName === 'TEXTAREA' || target.tagName === 'INPUT' || target.tagName === 'SELECT';
      if (e.key === 'Escape') {
        setMode('view');
        (document.activeElement as HTMLElement | null)?.blur();
        return;
      }
      if (typing || e.metaKey || e.ctrlKey || e.altKey || !drafts?.length || busy) return;
      if (readOnly && (e.key === 'a' || e.key === 'e' || e.key === 'r')) return;
      switch (e.key) {
        case 'j':
        case 'k':
          setIndex((i) => nextIndex(i, drafts.length, e.key === 'j' ? 1 : -1));
          break;
        case 'a':
          approve(false);
          break;
        case 'e':
          setMode('edit');
          break;
        case 'r':
          setMode('reject');
          break;
        default:
          return;
      }
      e.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drafts, busy, approve, readOnly]);

  if (loading && !drafts) return <Spinner label="Loading pending drafts…" />;
  if (loadError instanceof ApiError && loadError.status === 404) {
    return (
      <Empty title="Approvals are not available on this server">
        <code>GET /drafts</code> answered 404: this host does not run the inbound triage module yet.
      </Empty>
    );
  }
  if (loadError) return <ErrorBox error={loadError} onRetry={load} />;

  return (
    <div className="approvals">
      <aside className="queue">
        <div className="queue-head">
          <h2 className="card-title">
            Pending drafts {drafts ? <Badge title={more ? 'More are waiting than are loaded' : undefined}>{more ? `${drafts.length}+` : drafts.length}</Badge> : null}
          </h2>
          <button className="btn btn-small btn-ghost" onClick={load} disabled={loading}>
            {loading ? <Spinner label="" /> : 'Refresh'}
          </button>
        </div>
        <p className="muted small kbd-help">
          <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> approve · <kbd>e</kbd> edit · <kbd>r</kbd> reject · <kbd>Esc</kbd> cancel
        </p>
        {done ? (
          <div className="notice notice-good" role="status" data-testid="approval-notice">
            {done}
          </div>
        ) : null}
        {more ? (
          <div className="notice notice-info" role="status" data-testid="queue-more">
            More drafts are waiting than this queue holds: these are the {drafts?.length} oldest. Decide them and refresh to load the next.
          </div>
        ) : null}
        {drafts && drafts.length === 0 && !more ? <Empty title="Inbox zero">No drafts wait for approval.</Empty> : null}
        <ul className="queue-list" data-testid="queue">
          {drafts?.map((d, i) => (
            <li key={d.draft_id}>
              <button className={i === index ? 'active' : ''} onClick={() => setIndex(i)} aria-current={i === index}>
                <span className="queue-subject">{d.original_subject || d.subject}</span>
                <span className="muted small">{d.from.name ?? d.from.email}</span>
                <span className="queue-meta">
                  {d.classification ? <Badge tone="info">{d.classification.intent}</Badge> : null}
                  <FindingBadges flags={d.risk_flags} />
                  {d.sla_due_at ? (
                    <Badge tone={new Date(d.sla_due_at).getTime() < Date.now() ? 'bad' : 'neutral'} title={formatDateTime(d.sla_due_at)}>
                      SLA {relativeTo(d.sla_due_at)}
                    </Badge>
                  ) : null}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section className="draft-detail">
        {current ? (
          <>
            <Card title="Original email" actions={<button className="btn btn-small btn-ghost" onClick={() => navigate(`${paths.audit}?inbound=${current.inbound_id}`)}>Audit trail</button>}>
              <div className="mail-head">
                <div>
                  <strong>{current.from.name ?? current.from.email}</strong> <span className="muted">&lt;{current.from.email}&gt;</span>
                </div>
                <div className="muted small">{formatDateTime(current.created_at)}</div>
              </div>
              <div className="mail-subject">{current.original_subject}</div>
              <pre className="mail-body">{current.original_text}</pre>
            </Card>
            <div className="grid-2 gap">
              <Card title="Classification">
                {current.classification ? (
                  <dl className="facts">
                    <dt>Intent</dt>
                    <dd>{current.classification.intent}</dd>
                    <dt>Urgency</dt>
                    <dd>{current.classification.urgency}</dd>
                    <dt>Owner</dt>
                    <dd>{current.classification.owner}</dd>
                    <dt>Confidence</dt>
                    <dd>{(current.classification.confidence * 100).toFixed(0)}%</dd>
                    <dt>Policy flags</dt>
                    <dd>{current.classification.policy_flags.length ? current.classification.policy_flags.join(', ') : '—'}</dd>
                  </dl>
                ) : (
                  <p className="muted">Not classified.</p>
                )}
              </Card>
              <Card title="Why it needs review">
                <ul className="reasons">
                  {current.reasons.length ? current.reasons.map((r, i) => <li key={i}>{r}</li>) : <li className="muted">No reasons recorded.</li>}
                </ul>
                <div className="muted small">
                  Path {current.decided_path} · SLA due {formatDateTime(current.sla_due_at)} ({relativeTo(current.sla_due_at)})
                </div>
              </Card>
            </div>
            <Card title={`Draft reply: ${current.subject}`}>
              {mode === 'edit' ? (
                <textarea ref={editorRef} className="variant-editor" rows={10} value={editText} onChange={(e) => setEditText(e.target.value)} aria-label="Edit reply" />
              ) : (
                <div className="variant-message">
                  {editText !== current.text ? editText : <Highlighted text={current.text} flags={current.risk_flags} part="BODY" />}
                </div>
              )}
              {current.risk_flags.length ? (
                <div className="muted small">Guardrail findings on the drafted text:</div>
              ) : null}
              {current.risk_flags.length ? (
                <ul className="flags" data-testid="draft-findings">
                  {current.risk_flags.map((f, i) => (
                    <li key={i}>
                      <Badge tone={f.severity === 'BLOCK' ? 'bad' : 'warn'}>{f.severity}</Badge> <code>{f.code}</code> {f.detail}
                    </li>
                  ))}
                </ul>
              ) : null}
              {mode === 'reject' ? (
                <form
                  className="inline-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    reject();
                  }}
                >
                  <input ref={reasonRef} className="grow" placeholder="Reason for rejecting" value={reason} onChange={(e) => setReason(e.target.value)} aria-label="Reject reason" />
                  <button className="btn btn-danger" type="submit" disabled={busy !== null}>
                    {busy === 'reject' ? <Spinner label="Rejecting…" /> : 'Reject'}
                  </button>
                  <button className="btn btn-ghost" type="button" onClick={() => setMode('view')}>
                    Cancel
                  </button>
                </form>
              ) : null}
              {blocked && blocked.text === editText ? (
                <BlockedPanel blocked={blocked} busy={busy !== null} onOverride={() => approve(true)} onEdit={() => setMode('edit')} />
              ) : null}
              <ErrorBox error={actionError} />
              {readOnly ? (
                <div className="notice notice-info" role="status" data-testid="read-only-notice">
                  This API key is read-only (VIEWER): approving or rejecting needs a MEMBER or ADMIN key.
                </div>
              ) : null}
              <div className="variant-actions">
                <button className="btn btn-primary" onClick={() => approve(false)} disabled={busy !== null || readOnly} data-testid="approve">
                  {busy === 'approve' ? <Spinner label="Approving…" /> : editText !== current.text ? 'Approve edited (a)' : 'Approve (a)'}
                </button>
                <button className="btn" onClick={() => setMode(mode === 'edit' ? 'view' : 'edit')} disabled={readOnly}>
                  {mode === 'edit' ? 'Done editing' : 'Edit (e)'}
                </button>
                <button className="btn btn-danger-outline" onClick={() => setMode('reject')} disabled={readOnly}>
                  Reject (r)
                </button>
              </div>
            </Card>
          </>
        ) : drafts?.length ? null : (
          <Empty title="Nothing selected" />
        )}
      </section>
    </div>
  );
}

/** The stored guardrail findings of a draft, counted by severity, in the queue list. */
function FindingBadges({ flags }: { flags: DraftView['risk_flags'] | null | undefined }) {
  const { block, warn } = findingCounts(flags);
  const codes = (flags ?? []).map((f) => `${f.severity} ${f.code}: ${f.detail}`).join('\n');
  return (
    <>
      {block ? (
        <Badge tone="bad" title={codes}>
          {block} BLOCK
        </Badge>
      ) : null}
      {warn ? (
        <Badge tone="warn" title={codes}>
          {warn} WARN
        </Badge>
      ) : null}
    </>
  );
}

/**
 * The edited reply the guardrails refused (422): every finding with its code, severity and detail, the edited text
 * with the findings' spans marked, and an explicit "Send anyway" that re-submits with "override": true (recorded
 * server-side as inbound_draft_block_overridden.v1 with who and which findings).
 */
function BlockedPanel({ blocked, busy, onOverride, onEdit }: { blocked: BlockedEdit; busy: boolean; onOverride: () => void; onEdit: () => void }) {
  return (
    <div className="blocked-edit" role="alert" data-testid="blocked-edit">
      <div className="error-title">Guardrails blocked this reply: nothing was sent</div>
      {blocked.detail ? <p className="muted small">{blocked.detail}</p> : null}
      <ul className="flags" data-testid="blocked-findings">
        {blocked.findings.map((f, i) => (
          <li key={i}>
            <Badge tone={f.severity === 'BLOCK' ? 'bad' : 'warn'}>{f.severity}</Badge> <code>{f.code}</code> {f.detail}
            {f.span?.text ? <span className="muted small"> (“{f.span.text}”)</span> : null}
          </li>
        ))}
      </ul>
      <div className="variant-message" data-testid="blocked-text">
        <Highlighted text={blocked.text} flags={blocked.findings} part="BODY" />
      </div>
      <div className="variant-actions">
        <button className="btn" onClick={onEdit} disabled={busy}>
          Fix the text
        </button>
        <button className="btn btn-danger" onClick={onOverride} disabled={busy} data-testid="send-anyway">
          Send anyway ({blocked.blockingCodes.join(', ') || 'BLOCK'} overridden, recorded)
        </button>
      </div>
    </div>
  );
}
