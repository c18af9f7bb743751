/**
 * `bench:notify`'s producer, a process of its own: commits notices as a business event does
 * (`queueNotice` in the change's unit of work: the in-app row that is also the outbox row) and
 * tells the measurer when each was committed.
 */
import { commonEnv, parseConfig } from '@powerbank/config';
import { openOrm } from '@powerbank/db';
import { queueNotice } from '@powerbank/notify';
import { serveCalls } from './ipc.ts';
import { typeOf, USERS, userId } from './mix.ts';

const orm = await openOrm({ ...parseConfig(commonEnv), DB_POOL_MIN: 1, DB_POOL_MAX: 2 });

/** Commits notices `from`…`from + count - 1` in one transaction; resolves with the commit time. */
async function commit(from: number, count: number): Promise<number> {
  const em = orm.em.fork();
  for (let seq = from; seq < from + count; seq++) {
    queueNotice(em, {
      userId: userId(1 + (seq % USERS)),
      type: typeOf(seq),
      vars: { seq },
      title: 'Bench',
      body: `Notice ${seq}`,
      dedupeKey: `bench:${seq}`,
    });
  }
  await em.flush();
  return Date.now();
}

/** [first sequence number, how many, commit time] of one committed transaction. */
export type Commit = [number, number, number];

serveCalls({
  /** A backlog: `count` notices in one transaction, all visible at once. */
  commit: async ({ from, count }: { from: number; count: number }): Promise<Commit> => [
    from,
    count,
    await commit(from, count),
  ],
  /**
   * Notices at `rate` per second for `seconds`: every 10 ms, one transaction with the notices due
   * by then, so a slow commit is caught up by the next rather than lowering the rate.
   */
  offer: async ({ from, rate, seconds }: { from: number; rate: number; seconds: number }) => {
    const commits: Commit[] = [];
    const start = Date.now();
    let next = from;
    for (let tick = 1; Date.now() - start < seconds * 1000; tick++) {
      const due = from + Math.floor(((Date.now() - start) * rate) / 1000);
      if (due > next) {
        commits.push([next, due - next, await commit(next, due - next)]);
        next = due;
      }
      const wait = start + tick * 10 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return { commits, elapsedMs: Date.now() - start };
  },
});
process.on('SIGTERM', async () => {
  await orm.close();
  process.exit(0);
});
