// Shared helpers: start `brygga demo`, drive Debian's Chromium, scan pages with axe-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const root = join(dirname(new URL(import.meta.url).pathname), '..', '..');

export const PASSWORD = 'demo-webbläsartest-1';

/** Starts a fresh demo on a free port and resolves when it prints its address. `args` are
 *  passed on (e.g. `--smtp-url`). */
export async function startDemo(args = []) {
  const bin = process.env.BRYGGA_BIN ?? join(root, 'target', 'debug', 'brygga');
  const dataDir = mkdtempSync(join(tmpdir(), 'brygga-browser-'));
  const proc = spawn(bin, ['demo', '--port', '0', '--data-dir', dataDir, ...args], {
    env: { ...process.env, BRYGGA_DEMO_PASSWORD: PASSWORD, BRYGGA_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`demo did not start: ${out}`)), 60_000);
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/körs på (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve(m[1].replace(/\/$/, '')); }
    });
    proc.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
  });
  return { url, dataDir, bin, stop: () => proc.kill('SIGTERM') };
}

/** The real SMTP test server (tests/smtp/sink.py, aiosmtpd in .venv: scripts/smtp-sink-setup)
 *  on a free port; `messages()` reads what has arrived. */
export async function startSmtpSink() {
  const port = await new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
  const dir = mkdtempSync(join(tmpdir(), 'brygga-inbox-'));
  const proc = spawn(join(root, '.venv', 'bin', 'python'), [join(root, 'tests', 'smtp', 'sink.py'), '--port', String(port), '--dir', dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('SMTP sink did not start')), 30_000);
    proc.stdout.on('data', (c) => { if (String(c).includes('READY')) { clearTimeout(timer); resolve(); } });
    proc.on('exit', (code) => reject(new Error(`SMTP sink exited with ${code}; run scripts/smtp-sink-setup`)));
  });
  const messages = () => readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
  /** Waits until `pred` holds for the messages, polling every 50 ms, at most `ms`. */
  const waitFor = async (pred, ms = 20_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const got = messages();
      if (pred(got)) return got;
      if (Date.now() > until) throw new Error(`timed out waiting for e-mail; got: ${got.map((m) => m.headers.subject).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { port, messages, waitFor, stop: () => proc.kill('SIGTERM') };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page in Swedish; CSP is bypassed only so that axe can be injected. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ locale: 'sv-SE', timezoneId: 'Europe/Stockholm', bypassCSP: true, ...options });
  return context.newPage();
}

export const visited = new Set();

/** Runs axe-core (WCAG 2.0/2.1 A and AA) on the current page; fails on any violation. */
export async function axe(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' — ' + n.failureSummary) }));
  });
  visited.add(label);
  assert.deepEqual(result, [], `axe violations on ${label} (${page.url()}):\n${JSON.stringify(result, null, 2)}`);
}

export async function login(page, base, email) {
  await page.goto(`${base}/logga-in`);
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/logga-in'));
}

/** A fresh demo and Chromium for one test file: `env.demo` and `env.browser` are set before the
 *  tests run, and closed after them (the axe-scanned pages are listed then). */
export function demoSuite({ smtp = false } = {}) {
  const env = {};
  before(async () => {
    if (smtp) env.smtp = await startSmtpSink();
    const args = smtp ? ['--smtp-url', `smtp://127.0.0.1:${env.smtp.port}`, '--mail-from', 'brygga@demo.example'] : [];
    env.demo = await startDemo(args);
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    env.demo?.stop();
    env.smtp?.stop();
    console.log(`axe-scanned pages: ${[...visited].sort().join(', ')}`);
  });
  return env;
}
