// The on-call dashboard in a real browser (Debian's chromium driven by playwright-core): its script runs under the
// app's real security headers, renders the fleet as text, follows changes, and says so when the manager is gone.
// .ci/run installs chromium; on a machine without it these tests are skipped with a warning.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { ManualClock } from '../support/manual-clock.js';
import { createManager } from '../../src/manager/create-manager.js';
import { ADMIN_TOKEN, FakeManager, makeApp, makeSecurity, makeServerView } from '../api/api-fakes.js';
import { FakeBackend, FakeProber, makeManagerConfig } from '../support/factories.js';
import { startLocalManager } from '../support/local-manager.js';
import { stopAll } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runnable = existsSync(CHROMIUM);
if (!runnable) console.warn(`dashboard browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

// Flags for a closed network and a root user: no sandbox, and none of chromium's own background connections.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browser: Browser;
const pages: Page[] = [];
const servers: Server[] = [];

async function listen(app: ReturnType<typeof makeApp>['app']): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  pages.push(page);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`${res.status()} ${new URL(res.url()).pathname}`);
  });
  await page.goto(url);
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

const errorsOf = (page: Page) => (page as Page & { errors?: string[] }).errors ?? [];

// Waits are locators, not page functions: the app's CSP forbids eval, and this project's TypeScript has no DOM types.
async function waitForRows(page: Page, count: number): Promise<void> {
  const rowsLocator = page.locator('#servers tr');
  await rowsLocator.nth(count - 1).waitFor({ timeout: 10_000 });
  await rowsLocator.nth(count).waitFor({ state: 'detached', timeout: 10_000 });
}
const waitForSummary = (page: Page, text: RegExp) => page.locator('#summary', { hasText: text }).waitFor({ timeout: 10_000 });

async function rows(page: Page): Promise<string[][]> {
  return page.$$eval('#servers tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

describe.runIf(runnable)('dashboard in a browser', () => {
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    await stopAll();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows one row per server, with its state, address, capacity and problem', async () => {
    const manager = new FakeManager();
    manager.views = [
      makeServerView({ id: 'srv-1', name: 'gs-1', state: 'active' }),
      makeServerView({ id: 'srv-2', name: 'gs-2', state: 'unhealthy', address: null, failures: 3, lastError: 'health: connect ECONNREFUSED' }),
    ];
    manager.statusValue = { ...manager.statusValue, servers: 2, free: 7, paused: true };
    const { base } = await listen(makeApp({ manager }).app);
    const page = await open(`${base}/`);
    await waitForRows(page, 2);
    const table = await rows(page);
    expect(table[0]!.slice(0, 5)).toEqual(['gs-1', 'active', '10.0.0.1:3000', '2 · 1 · 7 / 10', '42 s']);
    expect(table[0]![5]).toMatch(/ (s|min) ago$/);
    expect(table[1]!.slice(0, 3)).toEqual(['gs-2', 'unhealthy', '—']);
    expect(table[1]![6]).toBe('3');
    expect(table[1]![7]).toBe('health: connect ECONNREFUSED');
    expect(await page.$eval('#servers tr:nth-child(2) td:nth-child(2)', (td) => td.className)).toBe('state unhealthy');
    // a poll from long ago is marked stale
    expect(await page.$eval('#servers tr:nth-child(1) td.poll', (td) => td.className)).toBe('poll stale');
    expect(await page.textContent('#summary')).toMatch(/^2 servers, free capacity 7 — scaling paused — /);
    expect(errorsOf(page)).toEqual([]);
  });

  it('shows a server name that holds markup as text, not as markup', async () => {
    const manager = new FakeManager();
    const name = '<img src=x onerror="document.title=\'owned\'">';
    manager.views = [makeServerView({ name, lastError: '<b>bold</b>' })];
    const { base } = await listen(makeApp({ manager }).app);
    const page = await open(`${base}/`);
    await waitForRows(page, 1);
    expect((await rows(page))[0]![0]).toBe(name);
    expect(await page.$$('#servers img, #servers b')).toHaveLength(0);
    expect(await page.title()).toBe('Arbiter fleet');
  });

  it('follows the fleet as it changes, and says so when the manager stops answering', async () => {
    const manager = new FakeManager();
    manager.views = [makeServerView({ id: 'srv-1', name: 'gs-1' })];
    const { server, base } = await listen(makeApp({ manager }).app);
    const page = await open(`${base}/`);
    await waitForRows(page, 1);

    manager.views = [makeServerView({ id: 'srv-1', name: 'gs-1', state: 'standby' }), makeServerView({ id: 'srv-3', name: 'gs-3', state: 'pending' })];
    manager.statusValue = { ...manager.statusValue, servers: 2 };
    await waitForRows(page, 2);
    expect((await rows(page)).map((r) => [r[0], r[1]])).toEqual([['gs-1', 'standby'], ['gs-3', 'pending']]);

    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await waitForSummary(page, /^cannot reach the manager/);
    // the last known fleet stays on screen for the person on call
    expect(await rows(page)).toHaveLength(2);
  });

  it('reports an error answer instead of failing to read it', async () => {
    const manager = new FakeManager();
    manager.servers = () => {
      throw new Error('fleet unavailable');
    };
    const { base } = await listen(makeApp({ manager }).app);
    const page = await open(`${base}/`);
    await waitForSummary(page, /^cannot reach the manager/);
    expect(await page.textContent('#summary')).toBe('cannot reach the manager: HTTP 500');
  });

  it('charts an hour of free capacity, shows backup hand-outs, and drains and undrains with one token prompt', async () => {
    const clock = new ManualClock(Date.now() - 50 * 60_000);
    const backend = new FakeBackend({ clock });
    backend.add({ status: 'running' });
    backend.add({ status: 'running' });
    const config = makeManagerConfig({
      scaling: { capacity: 2, maxServers: 2, upscaleMargin: 1, downscaleMargin: 3 },
      backup: { host: '127.0.0.1', port: 8888 },
    });
    const manager = createManager({ config, backend, prober: new FakeProber({ capacity: 2 }), clock, logger: createSilentLogger() });
    try {
      await manager.runTick();
      await manager.runPolls();
      for (let i = 0; i < 20; i++) {
        clock.advance(150_000);
        if (i % 5 === 0) manager.allocate(`early-${i}`);
        await manager.runPolls();
        await manager.runTick();
      }
      clock.set(Date.now());
      for (let i = 0; i < 7; i++) manager.allocate(`rush-${i}`);
      const handedToBackup = manager.history().allocations.backup;
      expect(handedToBackup).toBeGreaterThan(0);

      const app = createApp({ manager, logger: createSilentLogger(), security: makeSecurity({ adminToken: ADMIN_TOKEN }), registry: manager.metrics.registry });
      const { base } = await listen(app as ReturnType<typeof makeApp>['app']);
      const page = await open(`${base}/`);
      await page.setViewportSize({ width: 1400, height: 900 });
      await waitForRows(page, 2);

      const points = (await page.getAttribute('#free-line', 'points')) ?? '';
      expect(points.trim().split(/\s+/).length).toBeGreaterThanOrEqual(20);
      expect(await page.locator('#chart polyline').count()).toBe(3);
      expect(await page.textContent('#backup')).toBe(String(handedToBackup));
      expect(Number(await page.textContent('#served'))).toBeGreaterThan(0);
      expect(await page.textContent('#events')).toMatch(/launch|activate|standby|stop/);

      const dir = join(process.cwd(), 'test-results', 'dashboard');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'dashboard-1400x900.png'), fullPage: true });

      const prompts: string[] = [];
      page.on('dialog', (d) => {
        prompts.push(d.type());
        void (d.type() === 'prompt' ? d.accept(ADMIN_TOKEN) : d.dismiss());
      });
      const first = page.locator('#servers tr').first();
      const name = (await first.locator('td.name').textContent()) ?? '';
      await first.locator('button.drain').click();
      await page.locator('#servers tr', { hasText: name }).locator('td.state', { hasText: /^standby$/ }).waitFor({ timeout: 10_000 });
      await page.locator('#events li.action', { hasText: 'operator drain' }).waitFor({ timeout: 10_000 });
      await page.locator('#servers tr', { hasText: name }).locator('button.undrain').click();
      await page.locator('#servers tr', { hasText: name }).locator('td.state', { hasText: /^active$/ }).waitFor({ timeout: 10_000 });
      // stop asks first; dismissed, nothing is stopped
      await page.locator('#servers tr', { hasText: name }).locator('button.stop').click();
      await page.locator('#notice', { hasText: 'undrain' }).waitFor({ timeout: 5_000 });
      expect(prompts).toEqual(['prompt', 'confirm']);
      expect(manager.servers().map((v) => v.state)).not.toContain('stopping');
      expect(manager.history().events.filter((e) => e.source === 'action').map((e) => e.kind)).toEqual(['undrain', 'drain']);

      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(dir, 'dashboard-phone.png'), fullPage: true });
      const overflow = await page.$eval('body', (b) => b.scrollWidth - b.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(errorsOf(page)).toEqual([]);
    } finally {
      await manager.close();
    }
  });

  it('asks once for the read token when reads are guarded, sends it, and asks again after a wrong one', async () => {
    const readToken = 'read-token-0123456789abcdef';
    const manager = new FakeManager();
    manager.views = [makeServerView({ id: 'srv-1', name: 'arbiter-alpha' })];
    const { app } = makeApp({ manager, security: { readToken, adminToken: ADMIN_TOKEN } });
    const { base } = await listen(app);
    const page = await browser.newPage();
    pages.push(page);
    let authorized = 0;
    page.on('request', (req) => {
      if (req.headers()['authorization'] === `Bearer ${readToken}`) authorized += 1;
    });
    const answers = ['wrong-token', readToken];
    const prompts: string[] = [];
    page.on('dialog', (d) => {
      prompts.push(d.message());
      void d.accept(answers.shift() ?? '');
    });
    await page.goto(`${base}/`);
    // a wrong token is not asked for again on every refresh: the page says what it needs and offers a button
    await waitForSummary(page, /wants a read token/);
    await page.locator('#read-token:visible').waitFor({ timeout: 5_000 });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatch(/ARBITER_READ_TOKEN/);
    await page.locator('#read-token').click();
    await waitForRows(page, 1);
    expect((await rows(page))[0]![0]).toBe('arbiter-alpha');
    // later refreshes reuse the stored token without asking
    const after = authorized;
    await waitFor(() => authorized >= after + 4, { timeoutMs: 10_000, what: 'two more refreshes with the token' });
    expect(prompts).toHaveLength(2);
    expect(await page.locator('#read-token').isHidden()).toBe(true);
    expect(await page.$eval('body', (b) => (b.ownerDocument.defaultView as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('arbiter-read-token'))).toBe(readToken);
  });

  it('lists the gameservers of a real manager in local mode', async () => {
    const { proc: manager, base } = await startLocalManager({ MIN_SERVERS: '2', MAX_SERVERS: '3', SLEEP_TIME: '0.3', POLL_INTERVAL: '0.2' });
    await waitFor(async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).ok, { timeoutMs: 15_000, what: 'manager ready' });
    const page = await open(`${base}/`);
    await page.locator('#servers td:nth-child(2)', { hasText: /^active$/ }).nth(1).waitFor({ timeout: 15_000 });
    const table = await rows(page);
    for (const row of table.filter((r) => r[1] === 'active')) expect(row[2]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await page.textContent('#summary')).toMatch(/^\d+ servers, free capacity \d+ — /);
    expect(errorsOf(page)).toEqual([]);
    const result = await manager.stop(10_000);
    expect(result.code).toBe(0);
  });
});
