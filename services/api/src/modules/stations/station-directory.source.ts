import type { MikroORM } from '@mikro-orm/postgresql';
import { type DB, type Kysely, prepared, runPrepared, sql } from '@powerbank/db';
import type { Logger } from 'pino';
import { type DirectoryStation, StationDirectory } from './station-directory.ts';
import { amenityCodes, imageUrl, isListed, stationFields } from './station-queries.ts';

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
const SINCE = prepared((db) =>
  db.selectNoFrom(sql<string>`(now() - interval '5 seconds')::text`.as('since')),
);

/** Every station's row as the directory keeps it. */
const directoryRows = (db: Kysely<DB>) =>
  db
    .selectFrom('station as s')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('station_slot as ss')
          .select((c) => [
            c.fn
              .agg<number[]>('array_agg', ['ss.battery_level'])
              .filterWhere((f) =>
                f.and([f('ss.status', '=', 'ready'), f('ss.battery_level', 'is not', null)]),
              )
              .as('ready'),
            c.fn.countAll<number>().filterWhere('ss.status', '=', 'empty').as('free'),
          ])
          .whereRef('ss.station_id', '=', 's.id')
          .as('c'),
      (join) => join.onTrue(),
    )
    .select((eb) => [
      's.id',
      's.serial_number as sn',
      's.name',
      's.address',
      's.city',
      's.latitude',
      's.longitude',
      's.status',
      's.slot_count',
      's.last_heartbeat_at',
      isListed(eb).as('listed'),
      eb.fn.coalesce('c.ready', sql<number[]>`'{}'`).as('ready_batteries'),
      eb.cast<number>('c.free', 'integer').as('free'),
      imageUrl(db, eb.ref('s.id')).as('image_url'),
      amenityCodes(db, eb.ref('s.id')).as('amenity_codes'),
    ]);
const ALL_STATIONS = prepared((db) => directoryRows(db));
const STATIONS_BY_ID = prepared((db, p: { ids: string[] }) =>
  directoryRows(db).where((eb) => eb('s.id', '=', eb.fn.any(sql<string[]>`${p.ids}::uuid[]`))),
);

/**
 * Every row written since the bound (a timestamptz as text), as (row, its station, its write
 * time): the overlap returns rows already applied, and those are told apart by row and write time.
 */
const CHANGED_ROWS = prepared((db, p: { since: string }) => {
  const after = sql<Date>`${p.since}::timestamptz`;
  return db
    .selectFrom('station')
    .select((eb) => [
      sql<string>`'s' || ${eb.ref('id')}`.as('row'),
      'id as station_id',
      eb.cast<string>('updated_at', 'text').as('at'),
    ])
    .where('updated_at', '>', after)
    .unionAll(
      db
        .selectFrom('station_slot')
        .select((eb) => [
          sql<string>`'l' || ${eb.ref('id')}`.as('row'),
          'station_id',
          eb.cast<string>('updated_at', 'text').as('at'),
        ])
        .where('updated_at', '>', after),
    )
    .unionAll(
      db
        .selectFrom('station_media')
        .select((eb) => [
          sql<string>`'m' || ${eb.ref('id')}`.as('row'),
          'station_id',
          eb.cast<string>('created_at', 'text').as('at'),
        ])
        .where('created_at', '>', after),
    )
    .unionAll(
      db
        .selectFrom('station_amenity_mapping')
        .select((eb) => [
          sql<string>`'a' || ${eb.ref('id')}`.as('row'),
          'station_id',
          eb.cast<string>('created_at', 'text').as('at'),
        ])
        .where('created_at', '>', after),
    );
});

type DirectoryRow = typeof ALL_STATIONS.row;

const toStation = (row: DirectoryRow): DirectoryStation => ({
  ...stationFields(row),
  id: row.id,
  listed: row.listed === true,
  readyBatteries: row.ready_batteries,
  freeSlots: Number(row.free),
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
    const em = this.orm.em;
    const [bound] = await runPrepared(em, SINCE, {});
    const rows = await runPrepared(em, CHANGED_ROWS, { since: generation.since });
    // With thousands of stations writing (heartbeats, slots), most rows in the overlap were applied
    // by the previous look: re-reading their stations would repeat the slot counts for nothing.
    const stale = new Set<string>();
    for (const { row, station_id, at } of rows) {
      if (generation.applied.get(row) !== at) stale.add(station_id);
    }
    if (stale.size) {
      const changed = await runPrepared(em, STATIONS_BY_ID, { ids: [...stale] });
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
      const [bound] = await runPrepared(this.orm.em, SINCE, {});
      const rows = await runPrepared(this.orm.em, ALL_STATIONS, {});
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
