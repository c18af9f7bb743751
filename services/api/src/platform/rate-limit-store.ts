import type { MikroORM } from '@mikro-orm/postgresql';
import { now, prepared, runPrepared, sql } from '@powerbank/db';
import { type ClientRateLimitInfo, type HonoConfigType, MemoryStore, type Store } from 'hono-rate-limiter';
import type { AppEnv } from '../hono-env.ts';

/**
 * A fixed window per key: the first hit (or the first after the window ended) starts a window at 1,
 * each later one adds 1 — one upsert per counted request.
 */
const INCREMENT = prepared((db, p: { key: string; windowMs: number }) =>
  db
    .insertInto('rate_limit_counter')
    .values({
      key: p.key,
      hits: 1,
      reset_at: sql<Date>`now() + make_interval(secs => ${p.windowMs}::int / 1000.0)`,
    })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => {
        const ended = eb('rate_limit_counter.reset_at', '<=', sql<Date>`now()`);
        return {
          hits: eb
            .case()
            .when(ended)
            .then(1)
            .else(eb('rate_limit_counter.hits', '+', 1))
            .end(),
          reset_at: eb
            .case()
            .when(ended)
            .then(eb.ref('excluded.reset_at'))
            .else(eb.ref('rate_limit_counter.reset_at'))
            .end(),
        };
      }),
    )
    .returning(['hits', 'reset_at']),
);
const DECREMENT = prepared((db, p: { key: string }) =>
  db
    .updateTable('rate_limit_counter')
    .set((eb) => ({ hits: sql<number>`greatest(${eb.ref('hits')} - 1, 0)` }))
    .where('key', '=', p.key)
    .where('reset_at', '>', now()),
);
const RESET = prepared((db, p: { key: string }) =>
  db.deleteFrom('rate_limit_counter').where('key', '=', p.key),
);
const EXPIRED = prepared((db) => db.deleteFrom('rate_limit_counter').where('reset_at', '<=', now()));

/**
 * hono-rate-limiter's store on the `rate_limit_counter` table, so every api
 * process and instance counts against one limit (its MemoryStore would give
 * each of N instances the whole limit). A fixed window per key, as MemoryStore
 * keeps it: one upsert per counted request starts a new window at 1 or adds 1.
 */
export class DatabaseRateLimitStore implements Store<AppEnv> {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweptAt = Date.now();

  constructor(
    private readonly orm: MikroORM,
    /** Which limit this store counts for, so two limits on one client keep two counters. */
    readonly prefix: string,
  ) {}

  init(options: HonoConfigType<AppEnv>): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    // Keys seen once (an IP passing by) would stay forever: once a window, drop the ended ones.
    // No timer to stop, and a failed sweep is simply the next window's work.
    if (Date.now() - this.sweptAt > this.windowMs) {
      this.sweptAt = Date.now();
      this.deleteExpired().catch(() => undefined);
    }
    const [row] = await runPrepared(this.orm.em, INCREMENT, {
      key: this.prefix + key,
      windowMs: this.windowMs,
    });
    return { totalHits: Number(row!.hits), resetTime: new Date(row!.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await runPrepared(this.orm.em, DECREMENT, { key: this.prefix + key });
  }

  async resetKey(key: string): Promise<void> {
    await runPrepared(this.orm.em, RESET, { key: this.prefix + key });
  }

  /** Drops counters whose window has ended (a key that comes back starts at 1 either way). */
  async deleteExpired(): Promise<void> {
    await runPrepared(this.orm.em, EXPIRED, {});
  }
}

/**
 * hono-rate-limiter's MemoryStore, counting in this process only. Its `increment`
 * returns the client's live counter object, which the limiter reads after an
 * `await`: requests arriving together all read the last count, so a burst was
 * refused whole (or, below the limit, let through whole). A copy of the count is
 * what each request got.
 */
export class ProcessRateLimitStore extends MemoryStore<AppEnv> {
  override increment(key: string): ClientRateLimitInfo {
    const { totalHits, resetTime } = super.increment(key);
    return { totalHits, resetTime };
  }
}
