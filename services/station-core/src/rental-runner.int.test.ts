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
});
