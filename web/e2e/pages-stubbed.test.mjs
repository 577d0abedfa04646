// Browser tests of the pages whose endpoints land in other modules (approvals, KPIs) and of error states that the real
// host cannot be made to produce on demand: the API is stubbed inside the page with the shapes of docs/CONTRACTS
// (DraftView, the analytics GraphQL fields, problem details). The end-to-end run against the host is dashboard.test.mjs.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { collectCspViolations, launchBrowser, screenshot } from './host.mjs';
import { serveDist } from './static.mjs';

const KEY = 'stub-key-0123456789abcdef';

const json = (route, status, body, type = 'application/json') => route.fulfill({ status, contentType: type, body: JSON.stringify(body) });
const problem = (route, status, title, detail, extra = {}) =>
  json(route, status, { type: 'about:blank', title, status, detail, ...extra }, 'application/problem+json');

function draft(n, overrides = {}) {
  const due = new Date(Date.now() + n * 3_600_000).toISOString();
  return {
    draft_id: `00000000-0000-0000-0000-00000000000${n}`,
    inbound_id: `10000000-0000-0000-0000-00000000000${n}`,
    status: 'PENDING',
    subject: `Re: Pricing question ${n}`,
    text: `Hi Maria,\n\nThanks for asking about pricing ${n}. The Pro plan is billed per seat.\n\nBest,\nSales`,
    from: { email: `maria${n}@customer.example`, name: `Maria ${n}` },
    original_subject: `Pricing question ${n}`,
    original_text: `Hello, what does the Pro plan cost for 12 seats? (${n})`,
    classification: { intent: 'pricing', urgency: 'normal', owner: 'sales', policy_flags: [], confidence: 0.82 },
    reasons: ['auto-send disabled for intent pricing'],
    sla_due_at: due,
    created_at: new Date().toISOString(),
    decided_path: 'DRAFT_FOR_REVIEW',
    risk_flags: [],
    ...overrides,
  };
}

const kpiData = {
  inboundKpis: {
    received: 40, filtered: 4, autoSent: 16, drafted: 14, approvedUnchanged: 9, approvedEdited: 3, rejected: 2, human: 6,
    autoRate: 0.4, approveRate: 0.857, revertRate: 0.25, humanCorrectionRate: 0.1, qaSampled: 8, qaCorrect: 7,
    autoSendPrecision: 0.875, costUsd: 0.0123,
    days: [
      { day: '2026-11-20', received: 20, filtered: 2, autoSent: 8, drafted: 7, human: 3, approved: 6, rejected: 1 },
      { day: '2026-11-21', received: 20, filtered: 2, autoSent: 8, drafted: 7, human: 3, approved: 6, rejected: 1 },
    ],
  },
  outboundKpis: {
    requests: 12, variants: 36, firstPassRate: 0.9, retries: 2, selections: 10, overrides: 1, sends: 10, replies: 3,
    replyRate: 0.3, meetingsBooked: 1, costUsd: 0.05,
    days: [
      { day: '2026-11-20', requests: 6, variants: 18, firstPassPassed: 5, firstPassChecked: 6, sends: 5, replies: 1 },
      { day: '2026-11-21', requests: 6, variants: 18, firstPassPassed: 6, firstPassChecked: 6, sends: 5, replies: 2 },
    ],
  },
  creditsTrend: [
    { day: '2026-11-20', consumed: 18, balance: 99982, allowance: 100000, alerts: [] },
    { day: '2026-11-21', consumed: 18, balance: 99964, allowance: 100000, alerts: [] },
  ],
  costByModel: [
    { day: '2026-11-20', module: 'generation', model: 'offline-v1', calls: 6, costUsd: 0, latencyP50Ms: 3, latencyP95Ms: 5 },
    { day: '2026-11-21', module: 'triage', model: 'gpt-4o-mini', calls: 20, costUsd: 0.0123, latencyP50Ms: 420, latencyP95Ms: 900 },
  ],
  stageLatency: [
    { stage: 'ingest_to_classified', count: 36, p50Ms: 18, p95Ms: 40 },
    { stage: 'personalize_total', count: 12, p50Ms: 35, p95Ms: 80 },
  ],
  credits: { available: 99964, allowance: 100000, consumed: 36, reserved: 0, period: '2026-11', alert: 'NONE' },
};

const shellData = { organization: { name: 'Stub org', tier: 'ENTERPRISE' }, credits: { available: 99964, allowance: 100000, alert: 'NONE' } };

describe('dashboard pages against the contract shapes (stubbed API)', { concurrency: false }, () => {
  let site;
  let browser;
  let context;
  let page;
  let calls;
  let errors;
  let cspViolations;

  before(async () => {
    site = await serveDist();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  beforeEach(async () => {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1440, height: 960 } });
    await context.addInitScript((key) => sessionStorage.setItem('outreachos.apiKey', key), KEY);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    calls = [];
    errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    cspViolations = [];
    collectCspViolations(page, cspViolations);
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.origin === site.baseUrl && !u.pathname.startsWith('/assets') && r.resourceType() === 'fetch') {
        calls.push({ method: r.method(), path: u.pathname + u.search, auth: r.headers().authorization, body: r.postData() });
      }
    });
  });

  afterEach(() => {
    assert.deepEqual(cspViolations, [], 'the page did something the Content-Security-Policy refused');
  });

  /** GraphQL: the shell's organization/credits query, and whatever `kpis` answers for the KPI query. */
  async function stubGraphQL(kpis) {
    await page.route('**/graphql', (route) => {
      const body = JSON.parse(route.request().postData());
      if (body.query.includes('inboundKpis')) return kpis(route, body);
      return json(route, 200, { data: shellData });
    });
  }

  test('approvals: queue with original email, classification, reasons and SLA; j/e/a approve with the edit, r rejects with a reason', async () => {
    let items = [draft(1), draft(2)];
    await stubGraphQL((route) => json(route, 200, { data: kpiData }));
    await page.route('**/drafts**', async (route) => {
      const req = route.request();
      const url = new URL(req.url());
      if (req.method() === 'GET') return json(route, 200, { items });
      const [, , id, action] = url.pathname.split('/');
      const d = items.find((x) => x.draft_id === id);
      items = items.filter((x) => x.draft_id !== id);
      return json(route, 200, { ...d, status: action === 'approve' ? 'APPROVED' : 'REJECTED' });
    });
    await page.goto(`${site.baseUrl}/approvals`);
    const queue = page.getByTestId('queue');
    await queue.locator('li').nth(1).waitFor();
    await page.getByText('Hello, what does the Pro plan cost for 12 seats? (1)').waitFor();
    await page.getByText('auto-send disabled for intent pricing').waitFor();
    assert.match(await page.locator('.facts').textContent(), /pricing.*normal.*sales.*82%/);
    assert.match(await queue.locator('li').first().textContent(), /SLA in 1 h/);
    await screenshot(page, 'stub-01-approvals');

    await page.keyboard.press('j');
    await page.getByText('Hello, what does the Pro plan cost for 12 seats? (2)').waitFor();
    await page.keyboard.press('e');
    const editor = page.getByLabel('Edit reply');
    await editor.waitFor();
    await editor.fill('Hi Maria, the Pro plan is 30 EUR per seat. Best, Sales');
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    await page.getByTestId('approval-notice').getByText(/Approved with edits/).waitFor();
    const approve = calls.find((c) => c.method === 'POST' && c.path.endsWith('/approve'));
    assert.equal(approve.path, `/drafts/${draft(2).draft_id}/approve`);
    assert.deepEqual(JSON.parse(approve.body), { edited_text: 'Hi Maria, the Pro plan is 30 EUR per seat. Best, Sales' });
    assert.equal(approve.auth, `Bearer ${KEY}`);

    await page.getByText('Hello, what does the Pro plan cost for 12 seats? (1)').waitFor();
    await page.keyboard.press('r');
    const reason = page.getByLabel('Reject reason');
    await reason.waitFor();
    await reason.fill('Quote needs the enterprise discount');
    await reason.press('Enter');
    await page.getByText('Inbox zero').waitFor();
    const reject = calls.find((c) => c.method === 'POST' && c.path.endsWith('/reject'));
    assert.deepEqual(JSON.parse(reject.body), { reason: 'Quote needs the enterprise discount' });
    assert.deepEqual(errors, []);
  });

  test('approvals: the queue follows next to the last page, oldest first; beyond what it holds it says that more are waiting', async () => {
    // The API's pages: `limit` items from the cursor (an index here), `next` while more follow.
    let total = 620;
    await stubGraphQL((route) => json(route, 200, { data: kpiData }));
    await page.route('**/drafts**', (route) => {
      const url = new URL(route.request().url());
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const from = url.searchParams.has('after') ? Number(url.searchParams.get('after')) + 1 : 0;
      const items = Array.from({ length: Math.max(0, Math.min(limit, total - from)) }, (_, i) => draft(from + i + 1));
      return json(route, 200, { items, next: from + limit < total ? String(from + limit - 1) : null });
    });
    await page.goto(`${site.baseUrl}/approvals`);
    const queue = page.getByTestId('queue');
    await queue.locator('li').nth(619).waitFor();
    assert.equal(await queue.locator('li').count(), 620);
    assert.equal(await queue.locator('.queue-subject').first().textContent(), 'Pricing question 1');
    assert.equal(await queue.locator('.queue-subject').last().textContent(), 'Pricing question 620');
    assert.match(await page.locator('.queue-head').textContent(), /Pending drafts\s*620(?!\+)/);
    assert.equal(await page.getByTestId('queue-more').count(), 0);
    const gets = calls.filter((c) => c.method === 'GET' && c.path.startsWith('/drafts'));
    assert.deepEqual(gets.map((c) => c.path), ['/drafts?status=PENDING&limit=500', '/drafts?status=PENDING&limit=500&after=499']);

    total = 2600;
    await page.reload();
    await page.getByTestId('queue-more').waitFor();
    assert.equal(await queue.locator('li').count(), 2000);
    assert.match(await page.locator('.queue-head').textContent(), /2000\+/);
    assert.deepEqual(errors, []);
  });

  test('approvals: a failed approve shows the problem title and detail, and a missing endpoint says so', async () => {
    await stubGraphQL((route) => json(route, 200, { data: kpiData }));
    await page.route('**/drafts**', (route) =>
      route.request().method() === 'GET'
        ? json(route, 200, { items: [draft(1)] })
        : problem(route, 409, 'Conflict', 'The draft was already decided by someone else.'),
    );
    await page.goto(`${site.baseUrl}/approvals`);
    await page.getByTestId('approve').click();
    const alert = page.getByRole('alert');
    await alert.getByText('Conflict').waitFor();
    await alert.getByText('The draft was already decided by someone else.').waitFor();

    await page.unroute('**/drafts**');
    await page.route('**/drafts**', (route) => problem(route, 404, 'Not Found', null));
    await page.reload();
    await page.getByText('Approvals are not available on this server').waitFor();
  });

  test('approvals: stored findings in the queue; an edit refused by the guardrails (422) shows its findings and spans, and "Send anyway" re-submits with override', async () => {
    const stored = [{ code: 'SPAM_WORDING', severity: 'WARN', detail: 'sounds like spam', span: { start: 0, length: 2, text: 'Hi', part: 'BODY' } }];
    let items = [draft(1, { risk_flags: stored })];
    const edited = 'Hi Maria, the Pro plan is 40% cheaper for you, guaranteed. Best, Sales';
    const findings = [
      { code: 'UNSOURCED_NUMBER', severity: 'BLOCK', detail: '40% appears in no approved source', span: { start: edited.indexOf('40%'), length: 3, text: '40%', part: 'BODY' } },
      { code: 'SPAM_WORDING', severity: 'WARN', detail: 'guaranteed', span: { start: edited.indexOf('guaranteed'), length: 10, text: 'guaranteed', part: 'BODY' } },
    ];
    await stubGraphQL((route) => json(route, 200, { data: kpiData }));
    await page.route('**/drafts**', async (route) => {
      const req = route.request();
      if (req.method() === 'GET') return json(route, 200, { items });
      const body = JSON.parse(req.postData());
      if (!body.override) {
        return problem(route, 422, 'Edited reply blocked by guardrails', 'nothing was sent and the draft stays PENDING.', {
          type: 'https://outreachos.dev/problems/draft-blocked',
          field: 'edited_text',
          blocking_codes: ['UNSOURCED_NUMBER'],
          findings,
        });
      }
      const d = items[0];
      items = [];
      return json(route, 200, { ...d, status: 'APPROVED', text: body.edited_text, block_overridden_by: 'api_key:stub' });
    });
    await page.goto(`${site.baseUrl}/approvals`);
    const queue = page.getByTestId('queue');
    await queue.locator('li').first().getByText('1 WARN').waitFor();

    await page.keyboard.press('e');
    const editor = page.getByLabel('Edit reply');
    await editor.waitFor();
    await editor.fill(edited);
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    const panel = page.getByTestId('blocked-edit');
    await panel.waitFor();
    const listed = await page.getByTestId('blocked-findings').locator('li').allTextContents();
    assert.equal(listed.length, 2);
    assert.match(listed[0], /BLOCK\s*UNSOURCED_NUMBER\s*40% appears in no approved source/);
    assert.match(listed[1], /WARN\s*SPAM_WORDING\s*guaranteed/);
    assert.equal(await panel.locator('mark.flag-block').textContent(), '40%');
    assert.equal(await panel.locator('mark.flag-warn').textContent(), 'guaranteed');
    assert.equal(await page.getByTestId('approval-notice').count(), 0, 'nothing was approved');
    await screenshot(page, 'stub-04-approvals-blocked-edit');

    await page.getByTestId('send-anyway').click();
    await page.getByTestId('approval-notice').getByText(/override recorded/).waitFor();
    const approves = calls.filter((c) => c.method === 'POST' && c.path.endsWith('/approve'));
    assert.equal(approves.length, 2);
    assert.deepEqual(JSON.parse(approves[0].body), { edited_text: edited });
    assert.deepEqual(JSON.parse(approves[1].body), { edited_text: edited, override: true });
    await page.getByText('Inbox zero').waitFor();
    assert.deepEqual(errors, []);
  });

  test('KPIs: precision with its sample size, rates, charts; filters and range go into the query', async () => {
    const queries = [];
    await stubGraphQL((route, body) => {
      queries.push(body.variables);
      return json(route, 200, { data: kpiData });
    });
    await page.goto(`${site.baseUrl}/kpis`);
    const precision = page.getByTestId('precision');
    await precision.waitFor();
    assert.match(await precision.textContent(), /87\.5%.*n = 8 QA-sampled \(7 correct\)/);
    await page.getByText('85.7%').waitFor(); // approve rate
    await page.getByText('30.0%').waitFor(); // reply rate
    await page.waitForFunction(() => document.querySelectorAll('.recharts-surface').length >= 5);
    await screenshot(page, 'stub-02-kpis');

    await page.getByLabel('Intent').selectOption('pricing');
    await page.getByLabel('Channel').selectOption('EMAIL');
    const deadline = Date.now() + 10_000;
    while (!(queries.at(-1)?.intent === 'pricing' && queries.at(-1)?.channel === 'EMAIL') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.getByTestId('precision').waitFor();
    const last = queries.at(-1);
    assert.equal(last.intent, 'pricing');
    assert.equal(last.channel, 'EMAIL');
    // [from, to): the "to" day is included, so the query ends at the next UTC midnight.
    const days = (Date.parse(last.to) - Date.parse(last.from)) / 86_400_000;
    assert.equal(days, 14);
    assert.deepEqual(errors, []);
  });

  test('KPIs: a schema without the analytics fields shows a clear empty state', async () => {
    await stubGraphQL((route) => json(route, 200, { errors: [{ message: "Cannot query field 'inboundKpis' on type 'Query'." }] }));
    await page.goto(`${site.baseUrl}/kpis`);
    await page.getByText('KPIs are not available on this server').waitFor();
  });

  test('playground: validation problems land on their fields; a blocked variant highlights its span and needs an override', async () => {
    await stubGraphQL((route) => json(route, 200, { data: kpiData }));
    let attempt = 0;
    const message = 'Hi Dana, we guarantee a 300% return for Northwind Logistics. Open to a call?';
    await page.route('**/personalize**', (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/personalize') {
        attempt++;
        if (attempt === 1) {
          return json(route, 400, { title: 'The request is invalid.', status: 400, errors: { 'lead.domain': ['must be a domain name such as example.com'] } }, 'application/problem+json');
        }
        return json(route, 200, {
          request_id: '0199aaaa-bbbb-7ccc-8ddd-eeeeffff0000',
          variants: [
            {
              subject: 'Idea for Northwind',
              message,
              personalization_points: ['company: Northwind Logistics'],
              risk_flags: [{ code: 'UNSOURCED_NUMBER', severity: 'BLOCK', detail: '300% is not in the input', span: { start: message.indexOf('300%'), length: 4, text: '300%', part: 'BODY' } }],
              blocked: true,
            },
          ],
          attempts: 2,
          credits: { charged: 1, remaining: 99 },
          attempt_set: 1,
          degraded: false,
          regenerations_left: 3,
        });
      }
      return json(route, 200, { attempt_set: 1, variant_index: 0, message, edited: false, overridden: true, risk_flags: [], at: new Date().toISOString() });
    });
    await page.goto(`${site.baseUrl}/playground`);
    await page.fill('input[name=domain]', 'not a domain');
    await page.getByTestId('generate').click();
    await page.locator('.field-error').getByText('must be a domain name such as example.com').waitFor();

    await page.fill('input[name=domain]', 'northwind.com');
    await page.getByTestId('generate').click();
    const mark = page.locator('mark.flag-block');
    await mark.waitFor();
    assert.equal(await mark.textContent(), '300%');
    assert.equal(await page.getByTestId('select').count(), 0, 'a blocked variant has no plain Select');
    await page.getByRole('button', { name: 'Override…' }).click();
    await page.getByRole('button', { name: 'Confirm override & select' }).click();
    await page.getByTestId('selection-notice').getByText(/recorded override/).waitFor();
    const select = calls.find((c) => c.path.endsWith('/select'));
    assert.deepEqual(JSON.parse(select.body), { variant_index: 0, override: true });
    const generate = calls.filter((c) => c.path === '/personalize').at(-1);
    const sent = JSON.parse(generate.body);
    assert.equal(sent.lead.domain, 'northwind.com');
    assert.equal(sent.variant_count, 3);
    await screenshot(page, 'stub-03-playground-blocked');
    assert.deepEqual(errors, []);
  });
  test('audit explorer: a stream longer than a page shows "Load more", which reads the next page; the export follows every page', async () => {
    const streamId = 'inbound-2f7d0c1e-0000-4000-8000-000000000001';
    const total = 1500;
    const event = (v) => ({ version: v, eventId: `00000000-0000-4000-8000-${String(v).padStart(12, '0')}`, type: v === 1 ? 'inbound_received.v1' : 'inbound_note.v1',
      createdAt: '2026-11-21T10:00:00Z', hash: `h${v}`, data: JSON.stringify({ n: v }) });
    const graphqlAfters = [];
    await page.route('**/graphql', (route) => {
      const body = JSON.parse(route.request().postData());
      if (body.query.includes('auditStream')) {
        const after = body.variables.after ?? 0;
        graphqlAfters.push(after);
        const events = Array.from({ length: Math.max(0, Math.min(1000, total - after)) }, (_, i) => event(after + i + 1));
        return json(route, 200, { data: { auditStream: { streamId, streamType: 'inbound', version: total, createdAt: '2026-11-21T10:00:00Z',
          valid: true, firstBrokenVersion: null, reason: null, events } } });
      }
      if (body.query.includes('streams(')) return json(route, 200, { data: { streams: { totalCount: 0, nodes: [] } } });
      return json(route, 200, { data: shellData });
    });
    await page.route(`**/audit/streams/${streamId}**`, (route) => {
      const url = new URL(route.request().url());
      const after = Number(url.searchParams.get('after_version') ?? 0);
      const events = Array.from({ length: Math.max(0, Math.min(1000, total - after)) }, (_, i) => ({ version: after + i + 1 }));
      const next = after + events.length < total ? after + events.length : null;
      return json(route, 200, { stream_id: streamId, version: total, events, next_after_version: next });
    });

    await page.goto(`${site.baseUrl}/explorer?stream=${streamId}`);
    const timeline = page.getByTestId('timeline');
    await timeline.locator('li').nth(999).waitFor();
    assert.equal(await timeline.locator('li').count(), 1000);
    assert.match(await page.locator('.timeline-meta').textContent(), /1000 of 1500 events/);
    const more = page.getByTestId('load-more');
    assert.match(await more.textContent(), /Load more \(500 after v1000\)/);

    await more.click();
    await timeline.locator('li').nth(1499).waitFor();
    assert.equal(await timeline.locator('li').count(), 1500);
    assert.equal(await timeline.locator('.timeline-version').last().textContent(), 'v1500');
    assert.match(await page.locator('.timeline-meta').textContent(), /^1500 events/);
    assert.equal(await page.getByTestId('load-more').count(), 0, 'nothing left to load');
    assert.deepEqual(graphqlAfters, [0, 1000]);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download export' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), `${streamId}.audit.json`);
    const exported = JSON.parse(await (await import('node:fs/promises')).readFile(await file.path(), 'utf8'));
    assert.equal(exported.events.length, 1500);
    assert.equal(exported.next_after_version, null);
    const pages = calls.filter((c) => c.path.startsWith('/audit/streams/')).map((c) => c.path);
    assert.deepEqual(pages, [`/audit/streams/${streamId}`, `/audit/streams/${streamId}?after_version=1000`]);
    await screenshot(page, 'stub-04-audit-load-more');
    assert.deepEqual(errors, []);
  });
});
