// Browser tests: the real host + PostgreSQL + Debian's Chromium. Run by scripts/test.sh (`npm run e2e` in web/).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { collectCspViolations, dashboardCsp, launchBrowser, screenshot, startHost } from './host.mjs';

const UI_TIMEOUT = 30_000;

describe('dashboard in Chromium against the real host', { concurrency: false }, () => {
  let host;
  let browser;
  let page;
  let requestId;
  const consoleErrors = [];

  before(async () => {
    host = await startHost();
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1440, height: 960 } });
    page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    collectCspViolations(page, consoleErrors);
  });

  after(async () => {
    await browser?.close();
    await host?.stop();
  });

  test('the SPA and its assets are public while the APIs stay authenticated', async () => {
    const index = await fetch(`${host.baseUrl}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /text\/html/);
    assert.equal(index.headers.get('content-security-policy'), dashboardCsp);
    const html = await index.text();
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(asset, 'index.html references a built script');
    const js = await fetch(host.baseUrl + asset);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control'), /immutable/);

    const clientRoute = await fetch(`${host.baseUrl}/approvals`);
    assert.equal(clientRoute.status, 200, 'client routes load the app shell');
    assert.match(await clientRoute.text(), /<div id="root">/);

    for (const api of ['/credits', '/drafts?status=PENDING', '/audit/streams', '/personalize/00000000-0000-0000-0000-000000000001']) {
      const r = await fetch(host.baseUrl + api);
      assert.equal(r.status, 401, `${api} without a key`);
      assert.match(r.headers.get('content-type'), /problem\+json/);
    }
    const missingAsset = await fetch(`${host.baseUrl}/assets/missing-file.js`);
    assert.equal(missingAsset.status, 404, 'a missing asset is a 404, not the app shell');
  });

  test('a wrong key is refused with the problem detail, the right one opens the dashboard', async () => {
    await page.goto(host.baseUrl);
    await page.fill('input[name=apiKey]', 'wrong-key-wrong-key-wrong');
    await page.click('button[type=submit]');
    await page.getByRole('alert').getByText('HTTP 401').waitFor();

    await page.fill('input[name=apiKey]', host.apiKey);
    await page.click('button[type=submit]');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByTestId('credits-available').waitFor();
    const stored = await page.evaluate(() => sessionStorage.getItem('outreachos.apiKey'));
    assert.equal(stored, host.apiKey, 'the key is kept in sessionStorage');
  });

  test('playground: generate shows three variants side by side, select one', async () => {
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.getByTestId('generate').click();
    await page.getByTestId('variants').waitFor();
    const variants = page.getByTestId('variant');
    await assert.doesNotReject(variants.nth(2).waitFor());
    assert.equal(await variants.count(), 3);
    requestId = (await page.getByTestId('request-id').textContent()).trim();
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    assert.match(await page.getByTestId('credit-note').textContent(), /credits? charged .* remaining/);
    for (let i = 0; i < 3; i++) {
      assert.ok((await variants.nth(i).getByTestId('variant-message').textContent()).trim().length > 20, `variant ${i + 1} has a message`);
    }
    await screenshot(page, '01-playground-variants');

    // Select the first variant that passed the guardrails (blocked ones need an override).
    const selectable = page.getByTestId('select');
    assert.ok((await selectable.count()) > 0, 'at least one variant is selectable without override');
    await selectable.first().click();
    await page.getByTestId('selection-notice').waitFor();
    const record = await host.api('GET', `/personalize/${requestId}`);
    assert.equal(record.status, 200);
    assert.ok(record.body.selection, 'the selection is recorded on the request');
    await screenshot(page, '02-playground-selected');
  });

  test('playground: replay compares the original and the replayed output', async () => {
    await page.getByTestId('replay').click();
    await page.getByTestId('replay-view').waitFor();
    // The offline provider is deterministic: the same prompt gives the same raw output.
    await page.getByTestId('replay-view').getByText('identical raw output').waitFor();
    await screenshot(page, '03-playground-replay');
  });

  test('playground: regenerate makes a new attempt set and shows the credits it charged', async () => {
    await page.getByRole('button', { name: /^Regenerate \(3 left\)$/ }).click();
    await page.getByTestId('credit-note').getByText(/^Regenerated: \d+ credits? charged · [\d,]+ remaining$/).waitFor();
    await page.getByText('attempt set 2').waitFor();
    assert.equal(await page.getByTestId('variant').count(), 3);
    await page.getByRole('button', { name: /^Regenerate \(2 left\)$/ }).waitFor();
  });

  test('audit explorer: the request timeline shows its events and the chain verifies', async () => {
    await page.getByRole('button', { name: 'Audit trail' }).click();
    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    const items = timeline.locator('li');
    assert.ok((await items.count()) >= 3, 'requested, generated and selected events at least');
    assert.match(await timeline.textContent(), /[0-9a-f]{64}/, 'hashes are shown');
    await items.first().locator('button').click();
    await page.locator('pre.payload').first().waitFor();
    await page.getByTestId('verify').click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    assert.match(await result.textContent(), /Hash chain valid: \d+ events/);
    await screenshot(page, '04-audit-timeline-verified');
  });

  test('approvals: approve a pending draft from the queue', async (t) => {
    const probe = await host.api('GET', '/drafts?status=PENDING');
    if (probe.status === 404) {
      t.skip('GET /drafts answered 404: the approval endpoints are not on this branch yet (enable after merging the triage work)');
      return;
    }
    assert.equal(probe.status, 200);
    const draftId = await seedPendingDraft(host);
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByTestId('queue').locator('li').first().waitFor();
    await screenshot(page, '05-approvals-queue');
    // Keyboard flow: move to the seeded draft with j, approve with a.
    const index = await page.evaluate(
      (subject) => [...document.querySelectorAll('[data-testid=queue] li')].findIndex((li) => li.textContent.includes(subject)),
      SEED_SUBJECT,
    );
    assert.ok(index >= 0, 'the seeded draft is in the queue');
    for (let i = 0; i < index; i++) await page.keyboard.press('j');
    await page.keyboard.press('a');
    await page.getByTestId('approval-notice').waitFor();
    const after = await host.api('GET', `/drafts/${draftId}`);
    assert.equal(after.body.status, 'APPROVED');
    await screenshot(page, '06-approvals-approved');
  });

  test('approvals: an edit the guardrails refuse shows the findings, and "Send anyway" sends it with a recorded override', async (t) => {
    const probe = await host.api('GET', '/drafts?status=PENDING');
    if (probe.status === 404) {
      t.skip('GET /drafts answered 404: the approval endpoints are not on this branch yet');
      return;
    }
    const subject = 'Discount question for the Pro plan';
    const draftId = await seedPendingDraft(host, subject);
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const item = page.getByTestId('queue').locator('li', { hasText: subject });
    await item.waitFor();
    await item.locator('button').click();
    await page.keyboard.press('e');
    const editor = page.getByLabel('Edit reply');
    await editor.waitFor();
    const edited = 'Hi Maria,\n\nFor 12 seats we can offer you a 30% discount on the Pro plan.\n\nBest regards,\nSales';
    await editor.fill(edited);
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    const panel = page.getByTestId('blocked-edit');
    await panel.waitFor();
    assert.match(await page.getByTestId('blocked-findings').textContent(), /BLOCK\s*UNSOURCED_PERCENT/);
    assert.equal(await panel.locator('mark.flag-block', { hasText: '30%' }).count(), 1);
    assert.equal((await host.api('GET', `/drafts/${draftId}`)).body.status, 'PENDING', 'a refused edit sends nothing');
    await screenshot(page, '06b-approvals-blocked-edit');

    await page.getByTestId('send-anyway').click();
    await page.getByTestId('approval-notice').getByText(/override recorded/).waitFor();
    const after = await host.api('GET', `/drafts/${draftId}`);
    assert.equal(after.body.status, 'APPROVED');
    assert.match(after.body.block_overridden_by, /^api_key:/);
    assert.equal(after.body.text, edited);
    const stream = await host.api('GET', `/audit/streams/inbound-${after.body.inbound_id}`);
    const types = stream.body.events.map((e) => e.type);
    assert.ok(types.includes('inbound_draft_block_overridden.v1'), types.join(', '));
  });

  test('KPIs: the page shows auto-send precision with its sample size and charts', async (t) => {
    const probe = await host.api('POST', '/graphql', { query: '{ __type(name: "InboundKpis") { name } }' });
    if (!probe.body?.data?.__type) {
      t.skip('the GraphQL schema has no InboundKpis yet: the analytics read side is not on this branch (enable after merging)');
      return;
    }
    await page.getByRole('link', { name: 'KPIs' }).click();
    const precision = page.getByTestId('precision');
    await precision.waitFor();
    assert.match(await precision.textContent(), /n = \d+ QA-sampled/);
    await page.locator('.recharts-surface').first().waitFor();
    await screenshot(page, '07-kpis');
  });

  test('a VIEWER key gets a read-only dashboard: it reads, and offers no generate, approve, edit or reject', async () => {
    const issued = await host.api('POST', '/api-keys', { name: 'wall screen', role: 'VIEWER' });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    await seedPendingDraft(host, 'Viewer check: what does the Pro plan cost?');
    const pendingBefore = (await host.api('GET', '/drafts?status=PENDING')).body.items.length;
    const context = await browser.newContext({ viewport: { width: 1440, height: 960 } });
    try {
      const viewer = await context.newPage();
      viewer.setDefaultTimeout(UI_TIMEOUT);
      viewer.on('pageerror', (e) => consoleErrors.push(String(e)));
      await viewer.goto(host.baseUrl);
      await viewer.fill('input[name=apiKey]', issued.body.key);
      await viewer.click('button[type=submit]');
      await viewer.getByTestId('read-only').waitFor();
      await viewer.getByTestId('credits-available').waitFor();

      await viewer.getByRole('link', { name: 'Playground' }).click();
      await viewer.getByTestId('read-only-notice').waitFor();
      assert.ok(await viewer.getByTestId('generate').isDisabled(), 'generate is disabled');

      await viewer.getByRole('link', { name: 'Approvals' }).click();
      await viewer.getByTestId('approve').waitFor();
      assert.ok(await viewer.getByTestId('approve').isDisabled(), 'approve is disabled');
      assert.ok(await viewer.getByRole('button', { name: 'Reject (r)' }).isDisabled(), 'reject is disabled');
      await viewer.keyboard.press('a'); // the shortcut does nothing either
      await viewer.getByTestId('read-only-notice').waitFor();
      await screenshot(viewer, '08-viewer-read-only');

      await viewer.getByRole('link', { name: 'Audit explorer' }).click();
      await viewer.getByRole('heading').first().waitFor();

      await viewer.getByRole('link', { name: 'Data requests' }).click();
      await viewer.getByTestId('erasure-needs-admin').waitFor();
      assert.ok(await viewer.getByRole('button', { name: 'Preview' }).isDisabled(), 'a VIEWER cannot even preview an erasure');
    } finally {
      await context.close();
    }
    const pendingAfter = (await host.api('GET', '/drafts?status=PENDING')).body.items.length;
    assert.equal(pendingAfter, pendingBefore, 'nothing the viewer did decided a draft');
  });

  test('data requests: preview an erasure, confirm it, and the message is gone while its chain still verifies', async () => {
    const address = `erase-me-${Date.now()}@customer.example`;
    const draftId = await seedPendingDraft(host, 'Please erase me later: what does the Pro plan cost?', address);
    const inboundId = (await host.api('GET', `/drafts/${draftId}`)).body.inbound_id;
    await page.getByRole('link', { name: 'Data requests' }).click();
    await page.fill('input[name=erasureEmail]', address.toUpperCase());
    await page.fill('input[name=erasureReason]', 'GDPR Art. 17 request #7');
    await page.getByRole('button', { name: 'Preview' }).click();
    const summary = page.getByTestId('erasure-preview-summary');
    await summary.waitFor();
    assert.match(await summary.textContent(), /^\d+ events in 1 streams/);
    assert.equal((await host.api('GET', `/drafts/${draftId}`)).status, 200, 'a preview erases nothing');
    const erase = page.getByRole('button', { name: 'Erase permanently' });
    assert.ok(await erase.isDisabled(), 'erasing needs the address typed again');
    await page.fill('input[name=erasureConfirm]', address);
    await screenshot(page, '09-data-request-preview');
    await erase.click();
    const result = page.getByTestId('erasure-result');
    await result.waitFor();
    assert.match(await result.textContent(), /events erased in 1 streams/);
    await screenshot(page, '10-data-request-erased');

    assert.equal((await host.api('GET', `/drafts/${draftId}`)).status, 404, 'the draft is gone');
    const verified = await host.api('POST', `/audit/streams/inbound-${inboundId}/verify`);
    assert.equal(verified.body.valid, true, JSON.stringify(verified.body));
    assert.equal(verified.body.events_erased, verified.body.events_checked);
    const stream = await host.api('GET', `/audit/streams/inbound-${inboundId}`);
    assert.ok(!JSON.stringify(stream.body).toLowerCase().includes(address), 'the address is nowhere in the stream');

    // The record opens in the audit explorer, and verifying an erased stream there says so.
    await page.getByTestId('erasure-record').click();
    await page.getByTestId('timeline').waitFor();
    await page.goto(`${host.baseUrl}/explorer?stream=${encodeURIComponent(`inbound-${inboundId}`)}`);
    await page.getByTestId('verify').click();
    await page.getByTestId('verify-result').getByText(/erased \(personal data removed; erasure recorded\)/).waitFor();
  });

  test('do not contact: an address added on the data requests page is refused by the playground until an ADMIN lifts it', async () => {
    const lead = `dana-${Date.now()}@northwind.example`;
    await page.getByRole('link', { name: 'Data requests' }).click();
    await page.fill('input[name=suppressEmail]', lead.toUpperCase());
    await page.fill('input[name=suppressReason]', 'Asked by phone');
    await page.getByRole('button', { name: 'Add to the list' }).click();
    await page.getByTestId('suppression-notice').getByText(lead).waitFor();
    await page.getByTestId('suppressions').getByText(lead).waitFor();
    assert.equal((await host.api('GET', `/suppressions/${lead}`)).body.source, 'API');
    await screenshot(page, '11-do-not-contact');

    // The playground refuses the listed lead before anything is generated or charged.
    const creditsBefore = (await host.api('GET', '/credits')).body.available;
    await page.getByRole('link', { name: 'Playground' }).click();
    await page.fill('input[name=email]', lead);
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByRole('alert').getByText(/do-not-contact list/).waitFor();
    assert.equal((await host.api('GET', '/credits')).body.available, creditsBefore, 'nothing was charged');
    await screenshot(page, '12-playground-suppressed-lead');

    // An ADMIN lifts it with a reason; the lead may then be written to.
    await page.getByRole('link', { name: 'Data requests' }).click();
    const row = page.getByTestId('suppressions').locator('tr', { hasText: lead });
    await row.getByRole('button', { name: 'Lift…' }).click();
    await row.locator('input[name=liftReason]').fill('Opted in again on the web form');
    await row.getByRole('button', { name: 'Lift', exact: true }).click();
    await page.getByTestId('suppression-notice').getByText(/may be contacted again/).waitFor();
    assert.equal((await host.api('GET', `/suppressions/${lead}`)).status, 404);
  });

  test('no uncaught errors in the page and nothing refused by the Content-Security-Policy', () => {
    assert.deepEqual(consoleErrors, []);
  });
});

const SEED_SUBJECT = 'Question about the Pro plan pricing';

/** Ingests a plain pricing question (non-VIP, no injection) and waits until triage has drafted a reply for review. */
async function seedPendingDraft(host, subject = SEED_SUBJECT, from = 'maria.lopez@customer.example') {
  const messageId = `<e2e-${Date.now()}@customer.example>`;
  const ingest = await host.api('POST', '/ingest/email', {
    message_id: messageId,
    thread_id: null,
    from: { email: from, name: 'Maria Lopez' },
    to: [{ email: 'sales@outreachos.example', name: null }],
    cc: [],
    subject,
    text: 'Hello, could you tell me what the Pro plan costs per seat for a team of 12? Thanks, Maria',
    html: null,
    headers: {},
    received_at: new Date().toISOString(),
    in_reply_to: null,
    references: [],
  });
  assert.equal(ingest.status, 202, `POST /ingest/email: ${JSON.stringify(ingest.body)}`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const drafts = await host.api('GET', '/drafts?status=PENDING');
    const mine = drafts.body?.items?.find((d) => d.inbound_id === ingest.body.inbound_id);
    if (mine) return mine.draft_id;
    await new Promise((r) => setTimeout(r, 500));
  }
  const inbound = await host.api('GET', `/inbound/${ingest.body.inbound_id}`);
  assert.fail(`no PENDING draft for inbound ${ingest.body.inbound_id} within 60 s; status ${inbound.body?.status}, decision ${JSON.stringify(inbound.body?.decision)}`);
}
