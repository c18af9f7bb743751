import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { DEMO_STATION_COUNT, DemoSeeder, Station } from '@powerbank/db';
import { type StationChangedEvent, subjects } from '@powerbank/protocol';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  lastOtpCode,
  signUp,
  signUpAdmin,
  TINY_PNG,
  testUploadDir,
  upload,
} from '../../api/src/testing/auth-helpers.ts';
import { startRentalStack } from '../../api/src/testing/rental-stack.ts';
import type { TestApi } from '../../api/src/testing/test-app.ts';
import { ANALYTICS_CHART_IDS } from '../src/pages/analytics-chart-ids.ts';

/**
 * The console in a real browser (Debian's Chromium) against a real api on a port
 * that serves the freshly built console at /console, over the demo data set — with
 * station-core, the bridge and simulated stations behind it, so a remote command
 * travels to a station over MQTT and its answer comes back to the page.
 */
const SCREENSHOTS = fileURLToPath(new URL('../../../.data/console-screenshots/', import.meta.url));
const SEEDED_ADMIN = '+14155550100';
const OFFLINE_RED = '#d32f2f';

let stack: Awaited<ReturnType<typeof startRentalStack>>;
let api: TestApi;
let server: ReturnType<typeof serve>;
let browser: Browser;
let base: string;

beforeAll(async () => {
  // A production build, as CI makes it (vitest runs with NODE_ENV=test, which Vite would keep).
  execFileSync('pnpm', ['--filter', '@powerbank/console', 'build'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
  stack = await startRentalStack({ UPLOAD_DIR: testUploadDir() });
  api = stack.api;
  await api.deps.orm.seeder.seed(DemoSeeder);
  server = serve({ fetch: api.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/console/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
});

/** A new tab through the OTP form, with the code the local SMS provider kept. */
async function throughSignIn(phone: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  await page.goto(base);
  await page.fill('input[name=phone]', phone);
  await page.click('text=Text me a code');
  await page.waitForSelector('input[name=code]');
  await page.fill('input[name=code]', lastOtpCode(api, phone));
  await page.click('button:has-text("Sign in")');
  return page;
}

async function signedIn(phone: string): Promise<Page> {
  const page = await throughSignIn(phone);
  await page.waitForSelector('[data-testid=who]');
  return page;
}

const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

describe('console', () => {
  let admin: Page;

  it('signs the seeded super admin in and shows the dashboard', async () => {
    admin = await signedIn(SEEDED_ADMIN);
    expect(await admin.textContent('[data-testid=who]')).toContain('super_admin');
    await admin.waitForSelector('[data-testid=figures]');
    expect(await admin.textContent('[data-testid=figures]')).toContain(`${DEMO_STATION_COUNT}stations`);
    // Every analytics report charted (an answer, not an error): a chart's section appears only
    // with the report's answer, and draws its chart (empty when the demo has no such rows).
    for (const id of ANALYTICS_CHART_IDS) {
      await admin.waitForSelector(`[data-testid=${id}-chart] .recharts-wrapper`);
    }
    await screenshot(admin, 'dashboard');
  });

  it('refuses a user without a staff role', async () => {
    const user = await signUp(api);
    const page = await throughSignIn(user.phone);
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('staff');
    await page.close();
  });

  it('maps the demo stations and opens a station page on click', async () => {
    await admin.goto(`${base}#/map`);
    await admin.waitForSelector('[data-testid=station-dot]');
    expect(await admin.locator('[data-testid=station-dot]').count()).toBe(DEMO_STATION_COUNT);
    await screenshot(admin, 'map');
    const sn = await admin.locator('[data-testid=station-dot]').first().getAttribute('data-sn');
    await admin.locator('[data-testid=station-dot]').first().click();
    await admin.waitForSelector('[data-testid=slot-row]');
    expect(await admin.textContent('h2')).toContain(sn);
    const slots = await admin.locator('[data-testid=slot-row]').count();
    expect(await admin.locator('button:has-text("Eject")').count()).toBe(slots);
    await screenshot(admin, 'station');
  });

  it('turns a station that goes offline red on the open map without a reload', async () => {
    await admin.goto(`${base}#/map`);
    const online = admin.locator('[data-testid=station-dot][data-status=online]').first();
    const sn = await online.getAttribute('data-sn');
    if (!sn) throw new Error('no online demo station');
    const dot = admin.locator(`[data-testid=station-dot][data-sn="${sn}"]`);
    expect(await dot.getAttribute('fill')).not.toBe(OFFLINE_RED);
    await admin.waitForSelector('html[data-live=open]');
    await admin.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const listRequests: string[] = [];
    admin.on('request', (request) => {
      if (request.url().includes('stations.list')) listRequests.push(request.url());
    });
    // As station-core does: the row committed, then `core.evt.station` with the station's whole state.
    await api.deps.orm.em.fork().nativeUpdate(Station, { serialNumber: sn }, { status: 'offline' });
    const event: StationChangedEvent = { sn, status: 'offline', lastHeartbeatAt: Date.now(), slots: [] };
    api.deps.nats.publish(subjects(api.deps.env.NATS_PREFIX).coreEvent('station'), JSON.stringify(event));
    await expect.poll(() => dot.getAttribute('fill'), { timeout: 2_000, interval: 50 }).toBe(OFFLINE_RED);
    expect(await admin.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    // Pushed, not polled: the map asked for no station list while it waited.
    expect(listRequests).toEqual([]);
  });

  it('hides the refund queue and its buttons from support, shows them to a super admin', async () => {
    await admin.goto(`${base}#/queues`);
    await admin.waitForSelector('[data-testid=refund-queue]');
    const support = await signedIn((await signUpAdmin(api, 'support')).phone);
    await support.goto(`${base}#/queues`);
    await support.waitForSelector('[data-testid=kyc-queue]');
    expect(await support.locator('[data-testid=refund-queue]').count()).toBe(0);
    expect(await support.locator('button:has-text("refund")').count()).toBe(0);
    // Remote commands are the operations role's: a support agent sees the slots, not the buttons.
    await support.goto(`${base}#/stations/PB-DEMO-0001`);
    await support.waitForSelector('[data-testid=slot-row]');
    expect(await support.locator('button:has-text("Eject")').count()).toBe(0);
    await screenshot(support, 'queues-support');
    await support.close();
  });

  it('approving a KYC removes it from the queue', async () => {
    const user = await signUp(api, { fullName: 'Kyc Browser' });
    const image = await upload(api, user.token, { bytes: TINY_PNG, type: 'image/png', name: 'front.png' });
    const submitted = await api.rest(
      'POST',
      '/api/auth/kyc',
      { documentType: 'passport', documentNumber: 'P-BROWSER-1', frontImageId: image.body.data.id },
      bearer(user.token),
    );
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    await admin.goto(`${base}#/queues`);
    await admin.reload();
    const row = admin.locator('[data-testid=kyc-row]', { hasText: 'Kyc Browser' });
    await row.waitFor();
    await screenshot(admin, 'queues');
    await row.locator('button:has-text("Approve")').click();
    await row.waitFor({ state: 'detached' });
    const status = await api.rest('GET', '/api/auth/kyc-status', undefined, bearer(user.token));
    expect(JSON.stringify(status.body)).toContain('approved');
  });

  it('finds a user and shows their detail', async () => {
    await admin.goto(`${base}#/users`);
    await admin.fill('input[aria-label="search users"]', 'Kyc Browser');
    await admin.locator('a', { hasText: 'Kyc Browser' }).click();
    await admin.waitForSelector('h2:has-text("Rentals")');
    await screenshot(admin, 'user');
  });

  it('ejects a slot from the station page: the station acknowledges and the slot shows empty', async () => {
    const { h } = stack;
    const sn = h.newSerial('C');
    const serial = `${sn}-PB1`;
    const sim = await h.simulator({
      stations: [{ sn, slotCount: 2, powerBanks: [{ slot: 1, battery: 90, serial }] }],
      ejectDelayMs: 30,
    });
    await expect
      .poll(async () => (await h.slots(sn))[0]?.status, { timeout: 15_000, interval: 100 })
      .toBe('ready');
    await admin.goto(`${base}#/stations/${sn}`);
    const slot1 = admin.locator('[data-testid=slot-row]').first();
    await expect.poll(() => slot1.locator('td').nth(1).textContent(), { timeout: 5_000 }).toBe('ready');
    await slot1.locator('button:has-text("Eject")').click();
    // The station's own answer, relayed by station-core: it released that power bank.
    const ack = slot1.locator('[data-testid=command-ack]');
    await ack.waitFor({ timeout: 15_000 });
    expect(await ack.textContent()).toBe(`acknowledged: released ${serial}`);
    expect(sim.station(sn).slots[0]?.powerBank).toBeUndefined();
    // The slot row follows the station's eject result: empty, no power bank shown.
    await expect.poll(() => slot1.locator('td').nth(1).textContent(), { timeout: 5_000 }).toBe('empty');
    expect(await slot1.locator('td').nth(2).textContent()).toBe('—');
    await screenshot(admin, 'station-eject');
  });
});
