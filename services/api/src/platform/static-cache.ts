import type { NatsConnection } from '@powerbank/messaging';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';

const TABLE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Subjects of cache invalidation, under the deployment's NATS prefix.
 * (Candidates for `@powerbank/protocol`'s `subjects()` once that package is free to change.)
 */
export function cacheSubjects(prefix = '') {
  const p = prefix ? `${prefix}.` : '';
  return {
    invalidate: (table: string) => {
      if (!TABLE_PATTERN.test(table)) throw new Error(`not a table name: ${table}`);
      return `${p}cache.invalidate.${table}`;
    },
    allInvalidations: `${p}cache.invalidate.*`,
  };
}

/**
 * Tells every api instance that `table` changed. Whoever writes a static table
 * calls this after the commit; it resolves once the server has the message.
 */
export async function publishInvalidation(
  nats: NatsConnection,
  prefix: string,
  table: string,
): Promise<void> {
  nats.publish(cacheSubjects(prefix).invalidate(table));
  await nats.flush();
}

interface Entry {
  value: Promise<unknown>;
  expiresAt: number;
}

/** An answer already serialized (the REST envelope), built only from static tables. */
export interface CachedResponse {
  body: string;
  etag: string;
}

interface ResponseEntry {
  response: CachedResponse;
  tables: readonly string[];
}

/** What a kept answer is counted as: its body and key (UTF-16 code units, near enough to bytes) and the entry itself. */
const ENTRY_OVERHEAD = 200;

export interface StaticCacheOptions {
  nats: NatsConnection;
  prefix: string;
  /** Entries expire after this even if an invalidation was missed; 0 keeps them until invalidated. */
  ttlMs: number;
  /**
   * Bound of the serialized answers kept: least recently used go first. Their keys
   * come from clients' query strings, so without it they could fill the memory.
   * Default 16 MiB.
   */
  maxResponseBytes?: number;
  logger: Logger;
}

/**
 * In-memory cache of data read from static tables (app versions, countries,
 * FAQ…), per table and key. Plain NATS (not JetStream): an instance only needs
 * the invalidations published while it is connected; after a reconnect it drops
 * everything, since it may have missed some. The TTL is the last safety net.
 */
export class StaticCache {
  readonly #tables = new Map<string, Map<string, Entry>>();
  readonly #responses: LRUCache<string, ResponseEntry>;
  /** Bumped by every invalidation: an answer built across one is not kept. */
  #generation = 0;
  readonly #ttlMs: number;
  readonly #stop: () => void;

  constructor(options: StaticCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#responses = new LRUCache({
      maxSize: options.maxResponseBytes ?? 16 * 1024 * 1024,
      sizeCalculation: (entry, key) => entry.response.body.length + key.length + ENTRY_OVERHEAD,
      // 0 is lru-cache's "no TTL" too.
      ttl: options.ttlMs,
    });
    const subjects = cacheSubjects(options.prefix);
    const subscription = options.nats.subscribe(subjects.allInvalidations, {
      callback: (error, message) => {
        if (error) return options.logger.warn({ err: error }, 'cache invalidation subscription failed');
        const table = message.subject.slice(subjects.allInvalidations.length - 1);
        options.logger.debug({ table }, 'static cache invalidated');
        this.invalidate(table);
      },
    });
    let stopped = false;
    void (async () => {
      for await (const status of options.nats.status()) {
        if (stopped) return;
        if (status.type === 'reconnect') this.clear();
      }
    })().catch(() => undefined);
    this.#stop = () => {
      stopped = true;
      subscription.unsubscribe();
    };
  }

  /**
   * The cached value of `table`/`key`, loading it once when missing: concurrent
   * callers share one load, and a failed load is not cached.
   */
  get<T>(table: string, key: string, load: () => Promise<T>): Promise<T> {
    let entries = this.#tables.get(table);
    if (!entries) {
      entries = new Map();
      this.#tables.set(table, entries);
    }
    const now = Date.now();
    const cached = entries.get(key);
    if (cached && (this.#ttlMs === 0 || cached.expiresAt > now)) return cached.value as Promise<T>;

    const value = load();
    const entry: Entry = { value, expiresAt: now + this.#ttlMs };
    entries.set(key, entry);
    value.catch(() => {
      if (this.#tables.get(table)?.get(key) === entry) this.#tables.get(table)?.delete(key);
    });
    return value;
  }

  /** Read before building an answer; hand it to `putResponse` so a stale answer is never kept. */
  get generation(): number {
    return this.#generation;
  }

  /** The serialized answer kept under `key`, unless one of its tables changed since (or it expired). */
  getResponse(key: string): CachedResponse | undefined {
    return this.#responses.get(key)?.response;
  }

  /**
   * Keeps a serialized answer built from `tables` — dropped with them by the same
   * invalidations — unless any invalidation arrived since `generation` was read.
   * `maxAgeMs`: dropped after that too, however long the cache keeps the others.
   */
  putResponse(
    key: string,
    tables: readonly string[],
    response: CachedResponse,
    generation: number,
    maxAgeMs?: number,
  ): void {
    if (generation !== this.#generation) return;
    const ttl =
      maxAgeMs === undefined ? undefined : this.#ttlMs === 0 ? maxAgeMs : Math.min(maxAgeMs, this.#ttlMs);
    this.#responses.set(key, { response, tables }, ttl === undefined ? undefined : { ttl });
  }

  /** How many serialized answers are kept, and their size as counted against `maxResponseBytes`. */
  get responseStats(): { entries: number; bytes: number } {
    return { entries: this.#responses.size, bytes: this.#responses.calculatedSize };
  }

  /** Drops the table's entries; a load still in flight serves its callers but is not kept. */
  invalidate(table: string): void {
    this.#generation++;
    this.#tables.delete(table);
    const stale = [...this.#responses.entries()].filter(([, entry]) => entry.tables.includes(table));
    for (const [key] of stale) this.#responses.delete(key);
  }

  clear(): void {
    this.#generation++;
    this.#tables.clear();
    this.#responses.clear();
  }

  close(): void {
    this.#stop();
    this.clear();
  }
}
