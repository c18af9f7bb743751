import type { MikroORM } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';
import { type ClientRateLimitInfo, type HonoConfigType, MemoryStore, type Store } from 'hono-rate-limiter';
import type { AppEnv } from '../hono-env.ts';

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
    const [row] = await this.sql<{ hits: number; reset_at: Date }>(
      `insert into rate_limit_counter as c (key, hits, reset_at)
       values ($1, 1, now() + make_interval(secs => $2::int / 1000.0))
       on conflict (key) do update
          set hits = case when c.reset_at <= now() then 1 else c.hits + 1 end,
              reset_at = case when c.reset_at <= now() then excluded.reset_at else c.reset_at end
       returning hits, reset_at`,
      [this.prefix + key, this.windowMs],
    );
    return { totalHits: row!.hits, resetTime: new Date(row!.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.sql(
      'update rate_limit_counter set hits = greatest(hits - 1, 0) where key = $1 and reset_at > now()',
      [this.prefix + key],
    );
  }

  async resetKey(key: string): Promise<void> {
    await this.sql('delete from rate_limit_counter where key = $1', [this.prefix + key]);
  }

  /** Drops counters whose window has ended (a key that comes back starts at 1 either way). */
  async deleteExpired(): Promise<void> {
    await this.sql('delete from rate_limit_counter where reset_at <= now()');
  }

  private sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return sqlRows<T>(this.orm.em, query, params);
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
