import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError, graphql } from '../api/client';
import { Badge, Card, Empty, ErrorBox, Spinner } from '../components/ui';
import { addDays, dayToIso, isoDay, ms, percent, usd } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { pivotCostByModel } from '../lib/kpi';

interface InboundKpis {
  received: number;
  filtered: number;
  autoSent: number;
  drafted: number;
  approvedUnchanged: number;
  approvedEdited: number;
  rejected: number;
  human: number;
  autoRate: number | null;
  approveRate: number | null;
  revertRate: number | null;
  humanCorrectionRate: number | null;
  qaSampled: number;
  qaCorrect: number;
  autoSendPrecision: number | null;
  costUsd: number;
  days: { day: string; received: number; filtered: number; autoSent: number; drafted: number; human: number; approved: number; rejected: number }[];
}

interface OutboundKpis {
  requests: number;
  variants: number;
  firstPassRate: number | null;
  retries: number;
  selections: number;
  overrides: number;
  sends: number;
  replies: number;
  replyRate: number | null;
  meetingsBooked: number;
  costUsd: number;
  days: { day: string; requests: number; variants: number; firstPassPassed: number; firstPassChecked: number; sends: number; replies: number }[];
}

interface KpiData {
  inboundKpis: InboundKpis;
  outboundKpis: OutboundKpis;
  creditsTrend: { day: string; consumed: number; balance: number; allowance: number; alerts: string[] }[];
  costByModel: { day: string; module: string; model: string; calls: number; costUsd: number; latencyP50Ms: number | null; latencyP95Ms: number | null }[];
  stageLatency: { stage: string; count: number; p50Ms: number | null; p95Ms: number | null }[];
  credits: { available: number; allowance: number; consumed: number; reserved: number; period: string; alert: string };
}

const KPIS = `query Kpis($from: DateTime!, $to: DateTime!, $intent: String, $channel: String) {
  inboundKpis(from: $from, to: $to, intent: $intent) { received filtered autoSent drafted approvedUnchanged approvedEdited rejected human
    autoRate approveRate revertRate humanCorrectionRate qaSampled qaCorrect autoSendPrecision costUsd
    days { day received filtered autoSent drafted human approved rejected } }
  outboundKpis(from: $from, to: $to, channel: $channel) { requests variants firstPassRate retries selections overrides sends replies
    replyRate meetingsBooked costUsd days { day requests variants firstPassPassed firstPassChecked sends replies } }
  creditsTrend(from: $from, to: $to) { day consumed balance allowance alerts }
  costByModel(from: $from, to: $to) { day module model calls costUsd latencyP50Ms latencyP95Ms }
  stageLatency(from: $from, to: $to) { stage count p50Ms p95Ms }
  credits { available allowance consumed reserved period alert }
}`;

// The default intent list of the triage policy (an org may configure others; the filter is passed through as typed).
const INTENTS = ['', 'scheduling', 'pricing', 'support', 'billing', 'referral_partner', 'complaint', 'unsubscribe', 'outreach_reply', 'other'];
const CHANNELS = ['', 'EMAIL', 'LINKEDIN', 'SMS'];
const COLORS = ['#4f46e5', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#64748b'];

export function Kpis() {
  const today = isoDay(new Date());
  const [from, setFrom] = useState(addDays(today, -13));
  const [to, setTo] = useState(today);
  const [intent, setIntent] = useState('');
  const [channel, setChannel] = useState('');
  const invalidRange = from > to;

  const kpis = useAsync(
    (signal) =>
      invalidRange
        ? Promise.reject(new ApiError(0, 'Invalid date range', '“From” must not be after “to”.', null))
        : graphql<KpiData>(KPIS, { from: dayToIso(from), to: dayToIso(addDays(to, 1)), intent: intent || null, channel: channel || null }, signal),
    [from, to, intent, channel],
  );

  const notDeployed = kpis.error instanceof ApiError && /cannot query field|unknown field|inboundKpis/i.test(kpis.error.detail ?? '');

  return (
    <div className="kpis" data-testid="kpis">
      <div className="toolbar card">
        <label className="field field-inline">
          <span>From</span>
          <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} aria-label="From" />
        </label>
        <label className="field field-inline">
          <span>To</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} aria-label="To" />
        </label>
        <div className="quick-ranges">
          {[7, 14, 30, 90].map((n) => (
            <button
              key={n}
              className="btn btn-small btn-ghost"
              onClick={() => {
                setTo(today);
                setFrom(addDays(today, -(n - 1)));
              }}
            >
              {n}d
            </button>
          ))}
        </div>
        <label className="field field-inline">
          <span>Intent</span>
          <select value={intent} onChange={(e) => setIntent(e.target.value)} aria-label="Intent">
            {INTENTS.map((i) => (
              <option key={i} value={i}>
                {i || 'all'}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-inline">
          <span>Channel</span>
          <select value={channel} onChange={(e) => setChannel(e.target.value)} aria-label="Channel">
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c || 'all'}
              </option>
            ))}
          </select>
        </label>
        {kpis.loading ? <Spinner label="Loading KPIs…" /> : null}
      </div>
      {notDeployed ? (
        <Empty title="KPIs are not available on this server">The analytics read side (inboundKpis, outboundKpis, …) is not part of this host's GraphQL schema yet.</Empty>
      ) : (
        <ErrorBox error={kpis.error} onRetry={kpis.reload} />
      )}
      {kpis.data ? <KpiBoard data={kpis.data} /> : null}
    </div>
  );
}

function KpiBoard({ data }: { data: KpiData }) {
  const i = data.inboundKpis;
  const o = data.outboundKpis;
  const cost = useMemo(() => pivotCostByModel(data.costByModel), [data.costByModel]);
  const outboundDays = o.days.map((d) => ({ ...d, firstPass: d.firstPassChecked ? +((100 * d.firstPassPassed) / d.firstPassChecked).toFixed(1) : null }));
  const stages = data.stageLatency.map((s) => ({ ...s, p50: s.p50Ms, p95: s.p95Ms }));
  const emptyRange = i.received === 0 && o.requests === 0;

  return (
    <>
      <div className="tiles">
        <Tile label="Auto-send precision" value={percent(i.autoSendPrecision)} note={`n = ${i.qaSampled} QA-sampled (${i.qaCorrect} correct)`} testId="precision" />
        <Tile label="Approve rate" value={percent(i.approveRate)} note={`${i.approvedUnchanged + i.approvedEdited} approved · ${i.rejected} rejected`} />
        <Tile label="Revert (edit) rate" value={percent(i.revertRate)} note={`${i.approvedEdited} approved with edits`} />
        <Tile label="Auto-send rate" value={percent(i.autoRate)} note={`${i.autoSent} of ${i.received} received`} />
        <Tile label="Reply rate" value={percent(o.replyRate)} note={`${o.replies} replies / ${o.sends} sends · ${o.meetingsBooked} meetings`} />
        <Tile label="First-pass guardrail rate" value={percent(o.firstPassRate)} note={`${o.requests} requests · ${o.retries} retries · ${o.overrides} overrides`} />
        <Tile label="Cost" value={usd(Number(i.costUsd) + Number(o.costUsd))} note={`inbound ${usd(Number(i.costUsd))} · outbound ${usd(Number(o.costUsd))}`} />
        <Tile
          label="Credits available"
          value={data.credits.available.toLocaleString()}
          note={`${data.credits.consumed.toLocaleString()} used of ${data.credits.allowance.toLocaleString()} · ${data.credits.period}`}
          tone={data.credits.alert === 'NONE' ? undefined : 'warn'}
        />
      </div>
      {emptyRange ? <Empty title="No activity in this range">Widen the date range or clear the filters.</Empty> : null}
      <div className="charts">
        <Card title="Inbound per day">
          <Chart empty={i.days.length === 0}>
            <BarChart data={i.days}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" fontSize={12} />
              <YAxis allowDecimals={false} fontSize={12} />
              <Tooltip />
              <Legend />
              <Bar isAnimationActive={false} dataKey="autoSent" name="auto-sent" stackId="a" fill={COLORS[2]} />
              <Bar isAnimationActive={false} dataKey="drafted" name="drafted" stackId="a" fill={COLORS[0]} />
              <Bar isAnimationActive={false} dataKey="human" name="human" stackId="a" fill={COLORS[3]} />
              <Bar isAnimationActive={false} dataKey="filtered" name="filtered" stackId="a" fill={COLORS[7]} />
            </BarChart>
          </Chart>
        </Card>
        <Card title="Outbound per day">
          <Chart empty={outboundDays.length === 0}>
            <LineChart data={outboundDays}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" fontSize={12} />
              <YAxis yAxisId="n" allowDecimals={false} fontSize={12} />
              <YAxis yAxisId="p" orientation="right" domain={[0, 100]} unit="%" fontSize={12} />
              <Tooltip />
              <Legend />
              <Line isAnimationActive={false} yAxisId="n" dataKey="requests" stroke={COLORS[0]} dot={false} />
              <Line isAnimationActive={false} yAxisId="n" dataKey="sends" stroke={COLORS[1]} dot={false} />
              <Line isAnimationActive={false} yAxisId="n" dataKey="replies" stroke={COLORS[2]} dot={false} />
              <Line isAnimationActive={false} yAxisId="p" dataKey="firstPass" name="first pass %" stroke={COLORS[3]} strokeDasharray="4 3" dot={false} connectNulls />
            </LineChart>
          </Chart>
        </Card>
        <Card title="Latency per stage (p50 / p95)">
          <Chart empty={stages.length === 0}>
            <BarChart data={stages} layout="vertical" margin={{ left: 40 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis type="number" unit=" ms" fontSize={12} />
              <YAxis type="category" dataKey="stage" width={150} fontSize={12} />
              <Tooltip formatter={(v) => ms(Number(v))} />
              <Legend />
              <Bar isAnimationActive={false} dataKey="p50" name="p50" fill={COLORS[1]} />
              <Bar isAnimationActive={false} dataKey="p95" name="p95" fill={COLORS[0]} />
            </BarChart>
          </Chart>
          <table className="table small">
            <thead>
              <tr>
                <th>Stage</th>
                <th>n</th>
                <th>p50</th>
                <th>p95</th>
              </tr>
            </thead>
            <tbody>
              {data.stageLatency.map((s) => (
                <tr key={s.stage}>
                  <td>{s.stage}</td>
                  <td>{s.count}</td>
                  <td>{ms(s.p50Ms)}</td>
                  <td>{ms(s.p95Ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Cost by model and day">
          <Chart empty={cost.rows.length === 0}>
            <BarChart data={cost.rows}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" fontSize={12} />
              <YAxis fontSize={12} tickFormatter={(v) => `$${v}`} />
              <Tooltip formatter={(v) => usd(Number(v))} />
              <Legend />
              {cost.models.map((m, k) => (
                <Bar isAnimationActive={false} key={m} dataKey={m} stackId="c" fill={COLORS[k % COLORS.length]} />
              ))}
            </BarChart>
          </Chart>
        </Card>
        <Card title="Credits trend">
          <Chart empty={data.creditsTrend.length === 0}>
            <LineChart data={data.creditsTrend}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" fontSize={12} />
              {/* Balance and allowance are in the 100 000s, daily consumption in the tens: separate axes keep both readable. */}
              <YAxis yAxisId="balance" domain={['auto', 'auto']} fontSize={12} width={70} />
              <YAxis yAxisId="consumed" orientation="right" allowDecimals={false} fontSize={12} />
              <Tooltip />
              <Legend />
              <Line isAnimationActive={false} yAxisId="balance" dataKey="balance" stroke={COLORS[0]} dot={false} />
              <Line isAnimationActive={false} yAxisId="balance" dataKey="allowance" stroke={COLORS[7]} strokeDasharray="4 3" dot={false} />
              <Line isAnimationActive={false} yAxisId="consumed" dataKey="consumed" name="consumed per day" stroke={COLORS[4]} dot={false} />
            </LineChart>
          </Chart>
          {data.creditsTrend.some((d) => d.alerts.length) ? (
            <div className="small">
              Alerts:{' '}
              {data.creditsTrend
                .filter((d) => d.alerts.length)
                .map((d) => (
                  <Badge key={d.day} tone="warn">
                    {d.day}: {d.alerts.join(', ')}
                  </Badge>
                ))}
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}

function Tile({ label, value, note, tone, testId }: { label: string; value: string; note: string; tone?: 'warn'; testId?: string }) {
  return (
    <div className={`tile ${tone ? `tile-${tone}` : ''}`} data-testid={testId}>
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      <div className="tile-note">{note}</div>
    </div>
  );
}

function Chart({ empty, children }: { empty: boolean; children: React.ReactElement }) {
  if (empty) return <Empty title="No data in this range" />;
  return (
    <div className="chart">
      <ResponsiveContainer width="100%" height={260}>
        {children}
      </ResponsiveContainer>
    </div>
  );
}
