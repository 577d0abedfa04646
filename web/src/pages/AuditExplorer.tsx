import { useEffect, useState, type FormEvent } from 'react';
import { api, graphql } from '../api/client';
import { Badge, Card, Empty, ErrorBox, Spinner } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { navigate, paths } from '../lib/router';
import { streamIdOf, type StreamKind } from '../lib/request';
import { useAsync } from '../lib/useAsync';

interface StreamNode {
  streamId: string;
  streamType: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface AuditEventNode {
  version: number;
  eventId: string;
  type: string;
  createdAt: string;
  hash: string;
  data: string;
}

interface AuditStreamNode {
  streamId: string;
  streamType: string;
  version: number;
  createdAt: string;
  valid: boolean;
  firstBrokenVersion: number | null;
  reason: string | null;
  events: AuditEventNode[];
}

/** One page of GET /audit/streams/{id}: at most 1,000 events, and the next page's after_version (null at the end). */
interface AuditPage {
  events: unknown[];
  next_after_version: number | null;
  [key: string]: unknown;
}

interface Verification {
  stream_id: string;
  valid: boolean;
  events_checked: number;
  /** Events whose personal data was erased (ADR 0030): their links come from the recorded erasure. */
  events_erased?: number;
  first_broken_version: number | null;
  reason: string | null;
}

const STREAMS = `query Streams($type: String, $first: Int) {
  streams(type: $type, first: $first) { totalCount nodes { streamId streamType version createdAt updatedAt } }
}`;

// A page of at most 1,000 events (the server's limit) after $after; the chain is verified whole on every page.
const AUDIT = `query Audit($id: String!, $after: Int) {
  auditStream(streamId: $id) { streamId streamType version createdAt valid firstBrokenVersion reason
    events(afterVersion: $after) { version eventId type createdAt hash data } }
}`;

/** Where the URL points: ?stream=, ?request= or ?inbound=. */
function fromQuery(q: URLSearchParams): string | null {
  if (q.get('stream')) return q.get('stream');
  if (q.get('request')) return streamIdOf('request', q.get('request')!);
  if (q.get('inbound')) return streamIdOf('inbound', q.get('inbound')!);
  return null;
}

export function AuditExplorer({ query }: { query: URLSearchParams }) {
  const streamId = fromQuery(query);
  const [kind, setKind] = useState<StreamKind>('request');
  const [input, setInput] = useState(query.get('request') ?? query.get('inbound') ?? query.get('stream') ?? '');
  const [inputError, setInputError] = useState<string | null>(null);
  const [typeFilter, setTypeFilter] = useState('');

  useEffect(() => {
    if (query.get('inbound')) setKind('inbound');
    else if (query.get('stream')) setKind('stream');
  }, [query]);

  const recent = useAsync(
    (signal) => graphql<{ streams: { totalCount: number; nodes: StreamNode[] } }>(STREAMS, { type: typeFilter || null, first: 25 }, signal),
    [typeFilter],
  );

  function open(e: FormEvent) {
    e.preventDefault();
    const id = streamIdOf(kind, input);
    if (!id) {
      setInputError(kind === 'stream' ? 'Enter a stream id.' : 'Enter an id like 3f2b…-…: a GUID with or without dashes.');
      return;
    }
    setInputError(null);
    navigate(`${paths.audit}?stream=${encodeURIComponent(id)}`);
  }

  return (
    <div className="audit-layout">
      <aside className="audit-side">
        <Card title="Find a stream">
          <form onSubmit={open} className="stack">
            <div className="segmented" role="radiogroup" aria-label="Id kind">
              {(['request', 'inbound', 'stream'] as StreamKind[]).map((k) => (
                <button type="button" key={k} role="radio" aria-checked={kind === k} className={kind === k ? 'on' : ''} onClick={() => setKind(k)}>
                  {k === 'request' ? 'Request id' : k === 'inbound' ? 'Inbound id' : 'Stream id'}
                </button>
              ))}
            </div>
            <label className={`field ${inputError ? 'field-error' : ''}`}>
              <span>{kind === 'stream' ? 'Stream id' : kind === 'request' ? 'Personalization request id' : 'Inbound message id'}</span>
              <input name="streamLookup" value={input} onChange={(e) => setInput(e.target.value)} placeholder={kind === 'stream' ? 'personalization-…' : '00000000-0000-…'} />
              {inputError ? <small className="field-message">{inputError}</small> : null}
            </label>
            <button className="btn btn-primary" type="submit">
              Open timeline
            </button>
          </form>
        </Card>
        <Card
          title="Recent streams"
          actions={
            <select value={typeFilter} onChange={(e) => setTypeFilter(e.target.value)} aria-label="Stream type" className="input-small">
              <option value="">all types</option>
              <option value="personalization">personalization</option>
              <option value="inbound">inbound</option>
              <option value="outbound">outbound</option>
              <option value="credit_ledger">credit_ledger</option>
            </select>
          }
        >
          {recent.loading ? <Spinner /> : null}
          <ErrorBox error={recent.error} onRetry={recent.reload} />
          {recent.data && recent.data.streams.nodes.length === 0 ? <Empty title="No streams yet" /> : null}
          <ul className="stream-list">
            {recent.data?.streams.nodes.map((s) => (
              <li key={s.streamId}>
                <a
                  href={`${paths.audit}?stream=${encodeURIComponent(s.streamId)}`}
                  className={s.streamId === streamId ? 'active' : ''}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`${paths.audit}?stream=${encodeURIComponent(s.streamId)}`);
                  }}
                >
                  <span className="stream-id">{s.streamId}</span>
                  <span className="muted small">
                    {s.streamType} · v{s.version} · {formatDateTime(s.updatedAt)}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </Card>
      </aside>
      <section className="audit-main">{streamId ? <Timeline streamId={streamId} /> : <Empty title="Choose a stream">Look one up by id or pick a recent one.</Empty>}</section>
    </div>
  );
}

function Timeline({ streamId }: { streamId: string }) {
  const stream = useAsync((signal) => graphql<{ auditStream: AuditStreamNode | null }>(AUDIT, { id: streamId }, signal), [streamId]);
  const [verify, setVerify] = useState<{ busy: boolean; result?: Verification; error?: unknown }>({ busy: false });
  const [download, setDownload] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const [open, setOpen] = useState<Record<number, boolean>>({});
  const [more, setMore] = useState<{ events: AuditEventNode[]; busy: boolean; error?: unknown }>({ events: [], busy: false });

  useEffect(() => {
    setVerify({ busy: false });
    setOpen({});
    setMore({ events: [], busy: false });
  }, [streamId]);

  async function loadMore(after: number) {
    setMore((m) => ({ ...m, busy: true, error: undefined }));
    try {
      const page = await graphql<{ auditStream: AuditStreamNode | null }>(AUDIT, { id: streamId, after });
      setMore((m) => ({ events: [...m.events, ...(page.auditStream?.events ?? [])], busy: false }));
    } catch (e) {
      setMore((m) => ({ ...m, busy: false, error: e }));
    }
  }

  async function runVerify() {
    setVerify({ busy: true });
    try {
      setVerify({ busy: false, result: await api.post<Verification>(`/audit/streams/${encodeURIComponent(streamId)}/verify`) });
    } catch (e) {
      setVerify({ busy: false, error: e });
    }
  }

  async function runDownload() {
    setDownload({ busy: true });
    try {
      // Every page: the export holds the whole stream, however long.
      const path = `/audit/streams/${encodeURIComponent(streamId)}`;
      const body = await api.get<AuditPage>(path);
      for (let after = body.next_after_version; after != null; ) {
        const page = await api.get<AuditPage>(`${path}?after_version=${after}`);
        body.events.push(...page.events);
        after = page.next_after_version;
      }
      body.next_after_version = null;
      const url = URL.createObjectURL(new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${streamId}.audit.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setDownload({ busy: false });
    } catch (e) {
      setDownload({ busy: false, error: e });
    }
  }

  if (stream.loading) return <Spinner label="Reading the stream and re-computing its hash chain…" />;
  if (stream.error) return <ErrorBox error={stream.error} onRetry={stream.reload} />;
  const first = stream.data?.auditStream;
  if (!first) return <Empty title="Stream not found">No stream <code>{streamId}</code> in this organization.</Empty>;
  const s = { ...first, events: [...first.events, ...more.events] };
  const last = s.events.length > 0 ? s.events[s.events.length - 1].version : 0;

  return (
    <Card
      title={
        <span className="timeline-title">
          <code>{s.streamId}</code> <Badge tone="info">{s.streamType}</Badge>
        </span>
      }
      actions={
        <>
          <button className="btn" onClick={runVerify} disabled={verify.busy} data-testid="verify">
            {verify.busy ? <Spinner label="Verifying…" /> : 'Verify chain'}
          </button>
          <button className="btn" onClick={runDownload} disabled={download.busy}>
            {download.busy ? <Spinner label="Exporting…" /> : 'Download export'}
          </button>
        </>
      }
    >
      <div className="timeline-meta">
        <span>{s.events.length < s.version ? `${s.events.length} of ${s.version} events` : `${s.events.length} events`}</span>
        <span>created {formatDateTime(s.createdAt)}</span>
        <Badge tone={s.valid ? 'good' : 'bad'}>{s.valid ? 'chain valid on read' : `chain broken at v${s.firstBrokenVersion}`}</Badge>
      </div>
      {verify.result ? (
        <div className={`notice ${verify.result.valid ? 'notice-good' : 'notice-bad'}`} role="status" data-testid="verify-result">
          {verify.result.valid
            ? verify.result.events_erased
              ? `Hash chain valid: ${verify.result.events_checked - verify.result.events_erased} events re-computed, ${verify.result.events_erased} erased (personal data removed; erasure recorded).`
              : `Hash chain valid: ${verify.result.events_checked} events re-computed.`
            : `Hash chain broken at version ${verify.result.first_broken_version}: ${verify.result.reason ?? 'hash mismatch'}.`}
        </div>
      ) : null}
      <ErrorBox error={verify.error} />
      <ErrorBox error={download.error} />
      <ol className="timeline" data-testid="timeline">
        {s.events.map((e) => (
          <li key={e.version} className={s.firstBrokenVersion != null && e.version >= s.firstBrokenVersion ? 'broken' : ''}>
            <div className="timeline-dot" aria-hidden="true" />
            <div className="timeline-body">
              <button className="timeline-head" onClick={() => setOpen((o) => ({ ...o, [e.version]: !o[e.version] }))} aria-expanded={!!open[e.version]}>
                <span className="timeline-version">v{e.version}</span>
                <span className="timeline-type">{e.type}</span>
                <span className="muted small">{formatDateTime(e.createdAt)}</span>
              </button>
              <div className="hash" title="SHA-256 of the previous hash and this event's canonical bytes">
                {e.hash}
              </div>
              {open[e.version] ? <pre className="payload">{pretty(e.data)}</pre> : null}
            </div>
          </li>
        ))}
      </ol>
      <ErrorBox error={more.error} />
      {last < s.version ? (
        <button className="btn" onClick={() => loadMore(last)} disabled={more.busy} data-testid="load-more">
          {more.busy ? <Spinner label="Loading…" /> : `Load more (${s.version - last} after v${last})`}
        </button>
      ) : null}
    </Card>
  );
}

function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
