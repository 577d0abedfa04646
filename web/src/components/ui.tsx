import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <span className="spinner-wrap" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span className="spinner-label">{label}</span>
    </span>
  );
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const title = e?.title ?? 'Something went wrong';
  const detail = e ? e.detail : String((error as Error)?.message ?? error);
  return (
    <div className="error-box" role="alert">
      <div className="error-title">
        {title}
        {e && e.status > 0 && e.status !== 200 ? <span className="error-status">HTTP {e.status}</span> : null}
      </div>
      {detail ? <div className="error-detail">{detail}</div> : null}
      {e?.errors ? (
        <ul className="error-fields">
          {Object.entries(e.errors).map(([field, messages]) => (
            <li key={field}>
              <code>{field}</code> {messages.join(' ')}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry ? (
        <button className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-title">{title}</div>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

export function Badge({ tone = 'neutral', children, title }: { tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'info'; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {title || actions ? (
        <header className="card-head">
          {title ? <h2 className="card-title">{title}</h2> : <span />}
          {actions ? <div className="card-actions">{actions}</div> : null}
        </header>
      ) : null}
      {children}
    </section>
  );
}
