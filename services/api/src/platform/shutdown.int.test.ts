import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createTestOrm, freePort, newNatsPrefix, spawnService, type TestOrm } from '@powerbank/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const poll = { timeout: 30_000, interval: 100 };
let db: TestOrm;
const { prefix } = newNatsPrefix();

beforeAll(async () => {
  db = await createTestOrm();
});
const spawned: ChildProcess[] = [];
afterAll(async () => {
  // A test that failed may leave its api running: it must not outlive the test.
  for (const child of spawned)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await db.close();
});

interface LogLine {
  msg: string;
  cut?: Record<string, unknown>[];
}

/** The api as its own process (main.ts: signals, deadline, exit code), its log lines read as they come. */
async function spawnApi(env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawnService(
    'services/api/src/main.ts',
    {
      DATABASE_URL: db.db.url,
      NATS_PREFIX: prefix,
      API_PORT: String(port),
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '1000',
      // The request in flight below waits on a lock for as long as the test holds it.
      DB_LOCK_TIMEOUT_MS: '0',
      DB_STATEMENT_TIMEOUT_MS: '0',
      STATION_DIRECTORY_PRELOAD: 'false',
      DB_POOL_MAX: '3',
      ...env,
    },
    { stdout: 'pipe' },
  );
  spawned.push(child);
  const lines: LogLine[] = [];
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(JSON.parse(line));
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await expect.poll(() => lines.some((line) => line.msg === 'api listening'), poll).toBe(true);
  return { child, lines, exited, url: `http://127.0.0.1:${port}` };
}

const stop = (child: ChildProcess) => child.kill('SIGTERM');

/** Statements of the api waiting for the test's lock on user_session. */
async function lockWaiters(): Promise<number> {
  const [row] = await db.orm.em
    .fork()
    .getConnection()
    .execute<{ n: string }[]>(
      `select count(*) as n from pg_stat_activity where datname = ? and wait_event_type = 'Lock' and query like '%user_session%'`,
      [db.db.name],
    );
  return Number(row?.n);
}

describe('api shutdown (the real process)', () => {
  it('with nothing in flight: stops at once and exits 0', async () => {
    const api = await spawnApi();
    expect((await fetch(`${api.url}/api/app/version`)).status).toBe(200);
    stop(api.child);
    expect(await api.exited).toBe(0);
    expect(api.lines.some((line) => line.msg === 'stopped')).toBe(true);
  }, 60_000);

  it('with a request in flight that ends within the deadline: answers it, then exits 0', async () => {
    const api = await spawnApi({ SHUTDOWN_TIMEOUT_MS: '30000' });
    const inFlight = await db.orm.em.fork().transactional(async (tx) => {
      await tx.execute('lock table user_session in access exclusive mode');
      const answer = fetch(`${api.url}/api/app/version`, {
        headers: { authorization: `Bearer ${'a'.repeat(32)}` },
      });
      await expect.poll(() => lockWaiters(), poll).toBe(1);
      stop(api.child);
      // Shutting down, and still waiting for the request: the lock goes when this transaction ends.
      await expect.poll(() => api.lines.some((line) => line.msg === 'shutting down'), poll).toBe(true);
      // Wrapped: a promise returned would be awaited before the transaction (and its lock) ends.
      return { answer };
    });
    expect((await inFlight.answer).status).toBe(200);
    expect(await api.exited).toBe(0);
    expect(api.lines.some((line) => line.msg === 'stopped')).toBe(true);
  }, 60_000);

  it('with a request in flight past the deadline: exits 1 and logs what was cut', async () => {
    const api = await spawnApi();
    await db.orm.em.fork().transactional(async (tx) => {
      // Every request with a token reads user_session first: this one waits on the lock.
      await tx.execute('lock table user_session in access exclusive mode');
      const inFlight = fetch(`${api.url}/api/app/version`, {
        headers: { authorization: `Bearer ${'a'.repeat(32)}` },
      }).catch((error: unknown) => error);
      await expect.poll(() => lockWaiters(), poll).toBe(1);
      stop(api.child);
      expect(await api.exited).toBe(1);
      const report = api.lines.find((line) => line.msg.startsWith('shutdown deadline passed'));
      expect(report?.cut).toEqual([
        { step: 'http', requestsInFlight: 1 },
        { step: 'refund reconciler' },
        { step: 'nats' },
        { step: 'database' },
      ]);
      expect(await inFlight).toBeInstanceOf(Error);
    });
  }, 60_000);
});
