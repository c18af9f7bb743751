import { Writable } from 'node:stream';
import { commonEnv, parseConfig } from '@powerbank/config';
import { Rental } from '@powerbank/db';
import { connectNats, type NatsConnection } from '@powerbank/messaging';
import { subjects as subjectsFor } from '@powerbank/protocol';
import { anyRow, createTestOrm, newNatsPrefix, type TestOrm } from '@powerbank/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRentalRunner } from './rental-runner.ts';

const poll = { timeout: 10_000, interval: 50 };
let db: TestOrm;
let nats: NatsConnection;
const { prefix, cleanup } = newNatsPrefix();
const subjects = subjectsFor(prefix);

beforeAll(async () => {
  db = await createTestOrm();
  nats = await connectNats(parseConfig(commonEnv).NATS_URL, 'rental-runner-test');
});
afterAll(async () => {
  await cleanup(nats);
  await nats.close();
  await db.close();
});

/** A pino logger whose lines the test reads. */
function capturedLogger() {
  const lines: { level: number; msg: string; job?: string; rentalId?: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('rental runner', () => {
  it('asks stale starts again concurrently, never more at once than its bound', async () => {
    const em = db.orm.em.fork();
    const createdAt = new Date(Date.now() - 3_600_000);
    const stale = Array.from({ length: 7 }, (_, i) =>
      anyRow(em, Rental, {
        status: 'pending',
        createdAt,
        dispenseCommandId: `cmd-reask-${i}-${crypto.randomUUID()}`,
      }),
    );
    await em.flush();
    // A core that holds every dispense request until the test lets them go.
    const held: { respond(data: string): boolean }[] = [];
    let inFlight = 0;
    let most = 0;
    let asked = 0;
    const core = nats.subscribe(subjects.coreDispense, {
      callback: (_err, msg) => {
        asked += 1;
        inFlight += 1;
        most = Math.max(most, inFlight);
        held.push(msg);
      },
    });
    const answerHeld = () => {
      for (const msg of held.splice(0)) {
        inFlight -= 1;
        msg.respond(JSON.stringify({ ok: false, commandId: 'cmd-none-00', reason: 'busy' }));
      }
    };
    const { logger } = capturedLogger();
    const runner = startRentalRunner({
      orm: db.orm,
      nats,
      subjects,
      logger,
      stalePendingMs: 60_000,
      jobsIntervalMs: 100,
      reaskConcurrency: 3,
    });
    try {
      // Three at once (one after another, the second would wait for the first's answer)…
      await expect.poll(() => inFlight, poll).toBe(3);
      answerHeld();
      // …and the rest as those are answered, never more than three.
      await expect
        .poll(() => {
          answerHeld();
          return asked;
        }, poll)
        .toBeGreaterThanOrEqual(stale.length);
      expect(most).toBe(3);
      // Every answer applied before the runner stops (it drops a re-ask still waiting at stop).
      const ids = stale.map((rental) => rental.id);
      await expect
        .poll(async () => {
          answerHeld();
          return db.orm.em
            .fork()
            .count(Rental, { id: { $in: ids }, status: { $in: ['pending', 'dispensing'] } });
        }, poll)
        .toBe(0);
    } finally {
      await runner.stop();
      core.unsubscribe();
    }
  });

  it('a failing rental timer is logged as a warning and counted, and the next run tries again', async () => {
    const em = db.orm.em.fork();
    const rental = anyRow(em, Rental, {
      status: 'active',
      startedAt: new Date(Date.now() - 3_600_000),
      dueAt: new Date(Date.now() - 60_000),
    });
    await em.flush();
    const sql = (text: string) => db.orm.em.fork().getConnection().execute(text);
    await sql(`create function refuse_rental() returns trigger language plpgsql as $$
      begin raise exception 'refused by the test'; end $$`);
    await sql(
      `create trigger refuse_rental before update on rental for each row when (old.id = '${rental.id}') execute function refuse_rental()`,
    );
    const failed: string[] = [];
    const { logger, lines } = capturedLogger();
    const runner = startRentalRunner({
      orm: db.orm,
      nats,
      subjects,
      logger,
      stalePendingMs: 3_600_000,
      jobsIntervalMs: 100,
      onJobFailed: (job) => failed.push(job),
    });
    try {
      await expect.poll(() => failed.length, poll).toBeGreaterThanOrEqual(2);
      expect(failed.slice(0, 2)).toEqual(['overdue', 'overdue']);
      const warning = lines.find((line) => line.msg.startsWith('rental job failed'));
      expect(warning).toMatchObject({ level: 40, job: 'overdue', rentalId: rental.id });
    } finally {
      await runner.stop();
      await sql('drop trigger refuse_rental on rental; drop function refuse_rental()');
    }
  });

  it('stopping waits for the timers run under way, and asks no stale start again after it', async () => {
    const em = db.orm.em.fork();
    const overdue = anyRow(em, Rental, {
      status: 'active',
      startedAt: new Date(Date.now() - 3_600_000),
      dueAt: new Date(Date.now() - 60_000),
    });
    anyRow(em, Rental, {
      status: 'pending',
      createdAt: new Date(Date.now() - 3_600_000),
      dispenseCommandId: `cmd-stop-${crypto.randomUUID()}`,
    });
    await em.flush();
    let asked = 0;
    const core = nats.subscribe(subjects.coreDispense, {
      callback: () => {
        asked += 1;
      },
    });
    const failed: string[] = [];
    let runner: ReturnType<typeof startRentalRunner> | undefined;
    let released = false;
    let stopWhileHeld: boolean | undefined;
    try {
      await db.orm.em.fork().transactional(async (tx) => {
        // The run's claims wait for this lock (its candidate read does not).
        await tx.execute('lock table rental in exclusive mode');
        runner = startRentalRunner({
          orm: db.orm,
          nats,
          subjects,
          logger: pino({ level: 'silent' }),
          stalePendingMs: 60_000,
          jobsIntervalMs: 100,
          onJobFailed: (job) => failed.push(job),
        });
        await expect
          .poll(async () => {
            const [row] = await db.orm.em
              .fork()
              .getConnection()
              .execute<{ n: string }[]>(
                `select count(*) as n from pg_stat_activity where datname = ? and wait_event_type = 'Lock'`,
                [db.db.name],
              );
            return Number(row?.n);
          }, poll)
          .toBeGreaterThanOrEqual(1);
        void runner.stop().then(() => {
          stopWhileHeld = !released;
        });
        // A turn of the event loop: a stop that did not wait for the run would be done by now.
        await new Promise((resolve) => setImmediate(resolve));
        released = true;
      });
      await expect.poll(() => stopWhileHeld, poll).toBe(false);
      // The run finished before stop did, and asked nothing once stopping.
      const [row] = await db.orm.em
        .fork()
        .getConnection()
        .execute<{ status: string }[]>('select status from rental where id = ?', [overdue.id]);
      expect(row?.status).toBe('overdue');
      expect(asked).toBe(0);
      expect(failed).toEqual([]);
    } finally {
      await runner?.stop();
      core.unsubscribe();
    }
  });
});
