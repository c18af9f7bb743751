import { existsSync, readdirSync, readFileSync } from 'node:fs';
import {
  createTestDatabase,
  freePort,
  spawnService,
  stopService,
  type TestDatabase,
} from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A process's environment. */
const envOf = (pid: number) =>
  Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

/** Live cluster workers of `pid`, from /proc (Linux, as CI); tsx's esbuild helper is a child too. */
function workersOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after "pid (comm) ": state, ppid, …
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      if (Number(fields[1]) !== pid || fields[0] === 'Z') continue;
      if ('NODE_UNIQUE_ID' in envOf(Number(entry))) children.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return children.sort((a, b) => a - b);
}

describe.skipIf(process.platform !== 'linux')('api with API_WORKERS=2 (node:cluster)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('serves from two workers that split the pool, replaces a killed one, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const health = `http://127.0.0.1:${port}/api/app/health`;
    const primary = spawnService('services/api/src/main.ts', {
      DATABASE_URL: db.url,
      API_PORT: String(port),
      API_WORKERS: '2',
      DB_POOL_MIN: '0',
      DB_POOL_MAX: '6',
      NATS_PREFIX: `pbt_workers_${process.pid}`,
      STATION_DIRECTORY_PRELOAD: 'false',
      LOG_LEVEL: 'fatal',
    });
    const pid = primary.pid as number;
    // Bounded: a connection the primary handed to the worker being killed is never answered.
    const healthStatus = () =>
      fetch(health, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.status,
        () => 0,
      );
    try {
      await expect.poll(healthStatus, { timeout: 45_000, interval: 250 }).toBe(200);
      await expect.poll(() => workersOf(pid).length, { timeout: 20_000, interval: 250 }).toBe(2);
      const workers = workersOf(pid);
      for (const worker of workers) {
        expect(envOf(worker)).toMatchObject({ DB_POOL_MIN: '0', DB_POOL_MAX: '3' });
      }

      const [victim, survivor] = workers as [number, number];
      process.kill(victim, 'SIGKILL');
      // The other worker keeps answering while the primary forks a replacement.
      await expect.poll(healthStatus, { timeout: 20_000, interval: 100 }).toBe(200);
      await expect
        .poll(
          () => {
            const now = workersOf(pid);
            return now.length === 2 && now.includes(survivor) && !now.includes(victim);
          },
          { timeout: 20_000, interval: 250 },
        )
        .toBe(true);
      await expect.poll(healthStatus, { timeout: 45_000, interval: 250 }).toBe(200);

      const last = workersOf(pid);
      primary.kill('SIGTERM');
      await expect.poll(() => primary.exitCode, { timeout: 20_000, interval: 100 }).toBe(0);
      for (const worker of last) {
        await expect
          .poll(() => existsSync(`/proc/${worker}`), { timeout: 10_000, interval: 100 })
          .toBe(false);
      }
    } finally {
      await stopService(primary, 'SIGKILL');
    }
  }, 180_000);
});
