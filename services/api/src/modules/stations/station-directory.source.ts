import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { type DirectoryStation, StationDirectory } from './station-directory.ts';
import { AMENITY_CODES, IMAGE_URL, LISTED, type SummaryRow, stationFields } from './station-queries.ts';

export interface DirectoryTiming {
  /** A read when the last refresh started longer ago than this starts another (and does not wait). */
  refreshMs: number;
  /** A read when the last refresh started longer ago than this waits for a newer one. */
  maxStaleMs: number;
  /** Everything is read again this often: the change query cannot see deleted rows. */
  fullReloadMs: number;
}

/**
 * How far back each change query looks before the previous one. `updated_at` is
 * the writing transaction's start time, so a transaction that commits after a
 * query has run still shows up in the next one if it was open for less than this.
 */
const CHANGE_OVERLAP = `interval '5 seconds'`;

/** Every station's row as the directory keeps it; append a where clause. */
const DIRECTORY_ROWS = `
  select s.id, s.serial_number as sn, s.name, s.address, s.city, s.latitude, s.longitude,
    s.status, s.slot_count, s.last_heartbeat_at, (${LISTED}) as listed,
    coalesce(c.ready, '{}') as ready_batteries, c.free::int as free,
    ${IMAGE_URL} as image_url, ${AMENITY_CODES} as amenity_codes
  from station s left join lateral (
    select array_agg(ss.battery_level) filter (where ss.status = 'ready' and ss.battery_level is not null) as ready,
           count(*) filter (where ss.status = 'empty') as free
    from station_slot ss where ss.station_id = s.id
  ) c on true`;

/**
 * Every row written since the bound (a timestamptz as text; bind it four times),
 * as (row, its station, its write time): the overlap returns rows already
 * applied, and those are told apart by row and write time.
 */
const CHANGED_ROWS = `
  select 's' || id as row, id as station_id, updated_at::text as at from station where updated_at > ?::timestamptz
  union all select 'l' || id, station_id, updated_at::text from station_slot where updated_at > ?::timestamptz
  union all select 'm' || id, station_id, created_at::text from station_media where created_at > ?::timestamptz
  union all select 'a' || id, station_id, created_at::text from station_amenity_mapping where created_at > ?::timestamptz`;

type DirectoryRow = Omit<SummaryRow, 'available'> & {
  id: string;
  listed: boolean;
  ready_batteries: number[];
};

const toStation = (row: DirectoryRow): DirectoryStation => ({
  ...stationFields(row),
  id: row.id,
  listed: row.listed,
  readyBatteries: row.ready_batteries,
  freeSlots: row.free,
});

/** One loaded directory and where its change queries stand. */
interface Generation {
  directory: StationDirectory;
  loadedAt: number;
  /** When (Date.now()) the newest finished read of changes started. */
  freshAsOf: number;
  /** Lower bound of the next change query, in database time. */
  since: string;
  /**
   * The rows the last change query returned, with their write times: the next
   * one (which looks back further) re-reads a station only for rows not in here.
   */
  applied: Map<string, string>;
}

/**
 * Keeps this api instance's `StationDirectory` current by reading, on demand,
 * only the stations written since the last look (station-core writes slots and
 * statuses all the time; any process may add or move a station). No timers: an
 * instance nobody asks for stations does not query. A read never sees data older
 * than `maxStaleMs` (it waits for a refresh), and starts a background refresh
 * when its data is older than `refreshMs`.
 */
export class StationDirectorySource {
  #generation: Generation | undefined;
  #fullLoad: Promise<Generation> | undefined;
  #refresh: { startedAt: number; done: Promise<void> } | undefined;
  /** When markStale was last called, until a read of changes started after it has finished. */
  #staleAt: number | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly timing: DirectoryTiming,
    private readonly logger: Logger,
  ) {}

  async get(): Promise<StationDirectory> {
    const now = Date.now();
    const generation = this.#generation ?? (await this.#load());
    const staleAt = this.#staleAt;
    if (staleAt !== undefined) {
      // A read already under way may have begun before the change committed: only a later one counts.
      await this.#refreshedSince(staleAt + 1);
      if (this.#staleAt === staleAt) this.#staleAt = undefined;
    }
    if (now - generation.loadedAt > this.timing.fullReloadMs) this.#background(this.#load());
    if (now - generation.freshAsOf > this.timing.maxStaleMs) {
      await this.#refreshedSince(now - this.timing.maxStaleMs);
    } else if (now - generation.freshAsOf > this.timing.refreshMs) {
      this.#background(this.#refreshedSince(now));
    }
    return (this.#generation ?? generation).directory;
  }

  /**
   * The next read waits for a read of changes that starts after this call: a change committed
   * before it (an admin's edit, told over NATS) is in every answer from then on.
   */
  markStale(): void {
    this.#staleAt = Date.now();
  }

  /** Resolves once a read of changes that started at or after `time` has finished. */
  async #refreshedSince(time: number): Promise<void> {
    for (;;) {
      const generation = this.#generation;
      if (!generation || generation.freshAsOf >= time) return;
      const running = this.#refresh;
      if (running) {
        await running.done.catch(() => undefined);
        if (running.startedAt >= time) return;
        continue;
      }
      const startedAt = Date.now();
      const done = this.#applyChanges(generation, startedAt).finally(() => {
        this.#refresh = undefined;
      });
      this.#refresh = { startedAt, done };
      await done;
      return;
    }
  }

  async #applyChanges(generation: Generation, startedAt: number): Promise<void> {
    const connection = this.orm.em.getConnection();
    const [bound] = await connection.execute<{ since: string }[]>(
      `select (now() - ${CHANGE_OVERLAP})::text as since`,
    );
    const since = generation.since;
    const rows = await connection.execute<{ row: string; station_id: string; at: string }[]>(CHANGED_ROWS, [
      since,
      since,
      since,
      since,
    ]);
    // With thousands of stations writing (heartbeats, slots), most rows in the overlap were applied
    // by the previous look: re-reading their stations would repeat the slot counts for nothing.
    const stale = new Set<string>();
    for (const { row, station_id, at } of rows) {
      if (generation.applied.get(row) !== at) stale.add(station_id);
    }
    if (stale.size) {
      const changed = await connection.execute<DirectoryRow[]>(
        `${DIRECTORY_ROWS} where s.id = any(?::uuid[])`,
        [`{${[...stale].join(',')}}`],
      );
      generation.directory.apply(changed.map(toStation));
    }
    generation.applied = new Map(rows.map((r) => [r.row, r.at]));
    generation.freshAsOf = Math.max(generation.freshAsOf, startedAt);
    if (bound) generation.since = bound.since;
  }

  /** Reads every station; one load at a time, the others wait for it. */
  #load(): Promise<Generation> {
    this.#fullLoad ??= (async () => {
      const startedAt = Date.now();
      const connection = this.orm.em.getConnection();
      const [bound] = await connection.execute<{ since: string }[]>(
        `select (now() - ${CHANGE_OVERLAP})::text as since`,
      );
      const rows = await connection.execute<DirectoryRow[]>(DIRECTORY_ROWS);
      const generation: Generation = {
        directory: new StationDirectory(rows.map(toStation)),
        loadedAt: startedAt,
        freshAsOf: startedAt,
        since: bound?.since ?? new Date(startedAt).toISOString(),
        applied: new Map(),
      };
      this.#generation = generation;
      this.logger.info(
        { stations: generation.directory.size, ms: Date.now() - startedAt },
        'station directory loaded',
      );
      return generation;
    })().finally(() => {
      this.#fullLoad = undefined;
    });
    return this.#fullLoad;
  }

  #background(work: Promise<unknown>): void {
    work.catch((err: unknown) => this.logger.warn({ err }, 'station directory refresh failed'));
  }
}
