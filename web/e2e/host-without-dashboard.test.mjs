// The host with no built dashboard: '/' explains how to build it, and the API is unaffected.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startHost } from './host.mjs';

let host;
let empty;

before(async () => {
  empty = mkdtempSync(path.join(tmpdir(), 'outreachos-no-dashboard-'));
  host = await startHost({ dist: empty });
});

after(async () => {
  await host?.stop();
  if (empty) rmSync(empty, { recursive: true, force: true });
});

test('without a built dashboard, / and client routes say how to build it while the API keeps working', async () => {
  for (const route of ['/', '/playground']) {
    const r = await fetch(host.baseUrl + route);
    assert.equal(r.status, 404, route);
    const text = await r.text();
    assert.match(text, /dashboard is not built/);
    assert.match(text, /npm ci &amp;&amp; npm run build/);
    assert.match(text, /Dashboard__Path/);
  }
  assert.equal((await fetch(`${host.baseUrl}/health/live`)).status, 200);
  assert.equal((await fetch(`${host.baseUrl}/credits`)).status, 401);
  const credits = await host.api('GET', '/credits');
  assert.equal(credits.status, 200);
});
