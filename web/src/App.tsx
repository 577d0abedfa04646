import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, getApiKey, graphql, onUnauthorized, setApiKey } from './api/client';
import { ErrorBox, Spinner } from './components/ui';
import { navigate, paths, useRoute, type Route } from './lib/router';
import { Playground } from './pages/Playground';
import { Approvals } from './pages/Approvals';
import { Kpis } from './pages/Kpis';
import { AuditExplorer } from './pages/AuditExplorer';
import { DataRequests } from './pages/DataRequests';

interface Org {
  organization: { name: string; tier: string } | null;
  credits: { available: number; allowance: number; alert: string };
  /** The key of this session; absent from hosts older than roles. */
  apiKey?: { role: string } | null;
}

const ORG_QUERY = '{ organization { name tier } credits { available allowance alert } apiKey { role } }';

/** A VIEWER key reads everything and changes nothing (ADR 0025): the pages offer no action it would be refused. */
export const isReadOnly = (org: Org | null) => org?.apiKey?.role === 'VIEWER';

export function App() {
  const [key, setKey] = useState(getApiKey());
  const [org, setOrg] = useState<Org | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(
    () =>
      onUnauthorized((e) => {
        setApiKey(null);
        setKey(null);
        setOrg(null);
        setNotice(e.detail ?? 'The API key was not accepted.');
      }),
    [],
  );

  useEffect(() => {
    if (!key) return;
    graphql<Org>(ORG_QUERY).then(setOrg, () => undefined);
  }, [key]);

  if (!key) {
    return (
      <KeyGate
        notice={notice}
        onAccepted={(k, o) => {
          setApiKey(k);
          setKey(k);
          setOrg(o);
          setNotice(null);
        }}
      />
    );
  }
  return (
    <Shell
      org={org}
      onCreditsChanged={() => graphql<Org>(ORG_QUERY).then(setOrg, () => undefined)}
      onSignOut={() => {
        setApiKey(null);
        setKey(null);
        setOrg(null);
      }}
    />
  );
}

function KeyGate({ notice, onAccepted }: { notice: string | null; onAccepted: (key: string, org: Org) => void }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(notice ? new ApiError(401, 'Signed out', notice, null) : null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const k = value.trim();
    if (!k) return;
    setBusy(true);
    setError(null);
    // Checked against the API before it is kept: a typo should fail here, not on the first page.
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${k}` },
      body: JSON.stringify({ query: ORG_QUERY }),
    }).catch((err: Error) => err);
    setBusy(false);
    if (res instanceof Error) {
      setError(new ApiError(0, 'The server could not be reached', res.message, null));
      return;
    }
    if (!res.ok) {
      const body = await res.json().catch(() => ({}));
      setError(new ApiError(res.status, body.title ?? 'The key was refused', body.detail ?? null, null));
      return;
    }
    const body = await res.json();
    onAccepted(k, body.data as Org);
  }

  return (
    <div className="gate">
      <form className="gate-card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" /> OutreachOS
        </div>
        <p className="muted">Enter your organization's API key. It stays in this browser tab's session only.</p>
        <label className="field">
          <span>API key</span>
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            autoFocus
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="oos_…"
          />
        </label>
        <ErrorBox error={error} />
        <button className="btn btn-primary" type="submit" disabled={busy || !value.trim()}>
          {busy ? <Spinner label="Checking…" /> : 'Continue'}
        </button>
      </form>
    </div>
  );
}

const nav: { page: Route['page']; label: string }[] = [
  { page: 'playground', label: 'Playground' },
  { page: 'approvals', label: 'Approvals' },
  { page: 'kpis', label: 'KPIs' },
  { page: 'audit', label: 'Audit explorer' },
  { page: 'privacy', label: 'Data requests' },
];

function Shell({ org, onSignOut, onCreditsChanged }: { org: Org | null; onSignOut: () => void; onCreditsChanged: () => void }) {
  const route = useRoute();
  const readOnly = isReadOnly(org);
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> OutreachOS
        </div>
        <nav className="nav" aria-label="Main">
          {nav.map((n) => (
            <a
              key={n.page}
              href={paths[n.page]}
              className={route.page === n.page ? 'active' : ''}
              aria-current={route.page === n.page ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate(paths[n.page]);
              }}
            >
              {n.label}
            </a>
          ))}
        </nav>
        <div className="topbar-right">
          {org?.credits ? (
            <span className={`credits credits-${org.credits.alert.toLowerCase()}`} data-testid="credits-available" title="Credits available this period">
              {org.credits.available.toLocaleString()} / {org.credits.allowance.toLocaleString()} credits
            </span>
          ) : null}
          {org?.organization ? <span className="org">{org.organization.name}</span> : null}
          {readOnly ? (
            <span className="role-badge" data-testid="read-only" title="This API key has the VIEWER role: it reads but changes nothing">
              Read-only
            </span>
          ) : null}
          <button className="btn btn-ghost btn-small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content">
        {route.page === 'playground' && <Playground onCreditsChanged={onCreditsChanged} readOnly={readOnly} />}
        {route.page === 'approvals' && <Approvals readOnly={readOnly} />}
        {route.page === 'kpis' && <Kpis />}
        {route.page === 'audit' && <AuditExplorer query={route.query} />}
        {route.page === 'privacy' && <DataRequests role={org?.apiKey?.role ?? null} />}
      </main>
    </div>
  );
}
