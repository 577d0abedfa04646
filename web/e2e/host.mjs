// Starts the real OutreachOS host (Release build) on a free 127.0.0.1 port against a fresh PostgreSQL database and
// Debian's Chromium through playwright-core. Used by the browser tests; see scripts/test.sh for the environment.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const screenshotDir = path.join(repoRoot, 'artifacts', 'screenshots');
const logDir = path.join(repoRoot, 'artifacts', 'e2e');

// The host's Content-Security-Policy for the dashboard (DashboardHosting.ContentSecurityPolicy, ADR 0015). The static
// server of the stubbed tests sends the same, and dashboard.test.mjs checks that the host still sends exactly this.
export const dashboardCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

/** Chromium reports what a Content-Security-Policy refused as console errors; collect them. */
export function collectCspViolations(page, into) {
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) into.push(m.text());
  });
}

// Without the background-networking flags Chromium keeps dialling Google services, which this closed network refuses.
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Npgsql "Key=Value;..." → object with lower-case keys. */
export function parseConnectionString(cs) {
  const out = {};
  for (const part of cs.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  return out;
}

/** A fresh database on the PostgreSQL that scripts/test.sh started (OUTREACHOS_TEST_POSTGRES, maintenance database). */
function createDatabase() {
  const admin = process.env.OUTREACHOS_TEST_POSTGRES;
  if (!admin) throw new Error('OUTREACHOS_TEST_POSTGRES is not set: run the browser tests through ./scripts/test.sh (or source the dev services env)');
  const c = parseConnectionString(admin);
  const name = `e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  execFileSync('psql', ['-h', c.host ?? '127.0.0.1', '-p', c.port ?? '5432', '-U', c.username ?? c['user id'] ?? 'postgres', '-d', c.database ?? 'postgres',
    '-v', 'ON_ERROR_STOP=1', '-q', '-c', `CREATE DATABASE "${name}"`], {
    env: { ...process.env, PGPASSWORD: c.password ?? '', PGCONNECT_TIMEOUT: '10' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const parts = admin.split(';').filter((p) => p.trim() && !/^\s*database\s*=/i.test(p));
  return { name, connectionString: [...parts, `Database=${name}`].join(';'), drop: () => dropDatabase(c, name) };
}

function dropDatabase(c, name) {
  try {
    execFileSync('psql', ['-h', c.host ?? '127.0.0.1', '-p', c.port ?? '5432', '-U', c.username ?? 'postgres', '-d', c.database ?? 'postgres',
      '-q', '-c', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`], { env: { ...process.env, PGPASSWORD: c.password ?? '' }, stdio: 'ignore' });
  } catch {
    /* the throwaway cluster is removed by test.sh anyway */
  }
}

/** @param {{ dist?: string }} [options] dist: the dashboard folder to serve (default web/dist, which must be built). */
export async function startHost(options = {}) {
  const dll = process.env.OUTREACHOS_HOST_DLL ?? path.join(repoRoot, 'src', 'Host', 'bin', 'Release', 'net10.0', 'OutreachOS.Host.dll');
  if (!existsSync(dll)) throw new Error(`host not built: ${dll} (dotnet build src/Host -c Release)`);
  const dist = options.dist ?? process.env.DASHBOARD_DIST ?? path.join(repoRoot, 'web', 'dist');
  if (!options.dist && !existsSync(path.join(dist, 'index.html'))) throw new Error(`dashboard not built: ${dist} (cd web && npm run build)`);
  const db = createDatabase();
  const port = await freePort();
  const apiKey = `e2e-${randomBytes(18).toString('hex')}`;
  const baseUrl = `http://127.0.0.1:${port}`;
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(path.join(logDir, options.dist ? 'host-custom-dist.log' : 'host.log'));
  const child = spawn('dotnet', [dll], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ASPNETCORE_URLS: baseUrl,
      ASPNETCORE_ENVIRONMENT: 'Production',
      ConnectionStrings__Postgres: db.connectionString,
      Auth__BootstrapApiKey: apiKey,
      Dashboard__Path: dist,
      Logging__Console__FormatterName: 'simple',
      DOTNET_NOLOGO: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited !== null) throw new Error(`the host exited with ${exited} during start-up; see artifacts/e2e/host.log`);
    try {
      const r = await fetch(`${baseUrl}/health/ready`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('the host was not ready within 120 s; see artifacts/e2e/host.log');
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    baseUrl,
    apiKey,
    /** Authenticated JSON call to the API, for setting up and checking state beside the UI. */
    async api(method, pathName, body) {
      const r = await fetch(baseUrl + pathName, {
        method,
        headers: { Authorization: `Bearer ${apiKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = text;
      }
      return { status: r.status, body: json, headers: r.headers };
    },
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 15_000);
          child.on('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      log.end();
      db.drop();
    },
  };
}

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath, args: chromiumArgs, headless: true });
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
