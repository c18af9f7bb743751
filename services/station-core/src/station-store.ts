import {
  type DB,
  now,
  prepared,
  recordset,
  type SqlPool,
  type Statement,
  sql,
  statementOf,
} from '@powerbank/db';
import type { SlotRow, StationRowChange } from './station-projection.ts';

/** A command as committed to the command log (the outbox of station commands). */
export interface CommandRow {
  id: string;
  sn: string;
  kind: string;
  slotIndex: number | null;
  rentalId: string | null;
  payload: Record<string, unknown>;
}

export interface CommandOutcome {
  id: string;
  status: 'succeeded' | 'failed' | 'timed_out';
  result: Record<string, unknown>;
}

export interface PersistedActor {
  value: unknown;
  context: unknown;
}

/** Everything one actor transition changes, written with the others of its batch in one transaction. */
export interface StationWrite {
  sn: string;
  machineVersion: number;
  snapshot: PersistedActor;
  /** The version this write creates; the stored one must be exactly one less. */
  version: number;
  station: StationRowChange;
  /**
   * The station row's fields moved (status, heartbeat, firmware, slot count). Slot and eject events
   * leave it alone, so they take no lock on the row a rental start holds while it checks the station.
   */
  stationChanged: boolean;
  slots: SlotRow[];
  newCommands: CommandRow[];
  outcomes: CommandOutcome[];
  /** Power banks handed to a rental by a confirmed eject. */
  rented: { serial: string; rentalId: string }[];
  /** Power banks gone from a slot without an eject. */
  missing: { serial: string; reason: string }[];
  logs: { level: 'info' | 'warn' | 'error'; message: string; context: Record<string, unknown> }[];
}

/** The SQLSTATE of a Postgres error, wherever the driver put it. */
function sqlState(error: unknown): string | undefined {
  return (
    (error as { code?: string; cause?: { code?: string } }).code ??
    (error as { cause?: { code?: string } }).cause?.code
  );
}

/** Deadlocks and serialization failures: the same batch can simply be written again. */
function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40P01' || code === '40001' || /deadlock detected/.test((error as Error).message ?? '');
}

/**
 * Postgres refused the data itself (SQLSTATE class 22, data exception, or 23, integrity constraint
 * violation): writing the same rows again fails again. Anything else (connection lost, timeouts,
 * the server shutting down) is the database's state, not the batch's, and the batch is retried whole.
 */
function isRefusedData(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

export class StaleActorError extends Error {
  constructor(readonly serials: string[]) {
    super(`actor state changed underneath: ${serials.join(', ')}`);
    this.name = 'StaleActorError';
  }
}

/** The database refuses this station's write whatever it is batched with: it will never be written. */
export class RefusedWriteError extends Error {
  constructor(
    readonly sn: string,
    override readonly cause: unknown,
  ) {
    super(`the database refused the write of ${sn}: ${(cause as Error).message ?? String(cause)}`);
    this.name = 'RefusedWriteError';
  }
}

/** What became of a batch: written, except the stations left out as stale and those the database refused. */
export interface WriteOutcome {
  stale: Set<string>;
  refused: Map<string, RefusedWriteError>;
}

const ACTOR_STATE = prepared((db, p: { sn: string }) =>
  db
    .selectFrom('station_actor_state')
    .select(['machine_version', 'snapshot', 'version'])
    .where('serial_number', '=', p.sn),
);
const STATION_INFO = prepared((db, p: { sn: string }) =>
  db.selectFrom('station').select('slot_count').where('serial_number', '=', p.sn),
);
const ACTOR_VERSIONS = prepared((db, p: { serials: string[] }) =>
  db
    .selectFrom('station_actor_state')
    .select(['serial_number', 'version'])
    .where('serial_number', '=', sql<string>`any(${p.serials})`),
);
/** `ms` milliseconds before the statement's time. */
const msAgo = (ms: number) => sql<Date>`now() - make_interval(secs => ${ms}::double precision / 1000)`;
const UNSENT_COMMANDS = prepared((db, p: { maxAgeMs: number }) =>
  db
    .selectFrom('station_command')
    .select([
      'id',
      'serial_number as sn',
      'kind',
      'slot_index as slotIndex',
      'rental_id as rentalId',
      'payload',
    ])
    .where('status', '=', 'pending')
    .where('created_at', '>', msAgo(p.maxAgeMs))
    .orderBy('created_at')
    .limit(1000),
);
const MARK_SENT = prepared((db, p: { ids: string }) =>
  db
    .updateTable('station_command')
    .set({ status: 'sent', sent_at: now(), updated_at: now() })
    .where('status', '=', 'pending')
    .where('id', 'in', sql<string>`(select value from jsonb_array_elements_text(${p.ids}::jsonb))`),
);
const OPEN_EJECTS = prepared((db) =>
  db
    .selectFrom('station_command')
    .select(['id', 'serial_number as sn', 'created_at as createdAt'])
    .where('kind', '=', 'eject')
    .where('status', 'in', ['pending', 'sent']),
);
const SILENT_STATIONS = prepared((db, p: { silentMs: number }) =>
  db
    .selectFrom('station')
    .select(['serial_number as sn', 'last_heartbeat_at as lastHeartbeatAt'])
    .where('status', '=', 'online')
    .where((eb) =>
      eb.or([eb('last_heartbeat_at', 'is', null), eb('last_heartbeat_at', '<', msAgo(p.silentMs))]),
    ),
);
const LOG_MESSAGE = prepared(
  (db, p: { level: 'warn' | 'error'; message: string; context: string; rawPayload: string }) =>
    db.insertInto('system_log').values({
      id: sql<string>`gen_random_uuid()`,
      occurred_at: now(),
      level: p.level,
      source: 'station-core',
      message: p.message,
      context: sql<Record<string, unknown>>`${p.context}::jsonb`,
      raw_payload: p.rawPayload,
    }),
);

// Each batch's rows travel as one jsonb value per statement, read as a table by `recordset`: one
// statement per kind of row however big the batch is.
const json = (rows: unknown[]) => JSON.stringify(rows);
const uuidOrNull = (text: string) =>
  sql<
    string | null
  >`case when ${sql.ref(text)} ~ '^[0-9a-f-]{36}$' then ${sql.ref(text)}::uuid else null end`;

export const UPDATE_STATIONS = prepared((db, p: { rows: string }) =>
  db
    .updateTable('station as s')
    .from(
      recordset(p.rows, 'x', {
        sn: 'text',
        status: 'text',
        hb: 'timestamptz?',
        fw: 'text?',
        slot_count: 'int',
      }),
    )
    .set((eb) => ({
      status: eb
        .case()
        .when('s.status', '=', 'decommissioned')
        .then(eb.ref('s.status'))
        .else(eb.ref('x.status').$castTo<DB['station']['status']>())
        .end(),
      last_heartbeat_at: eb.fn.coalesce('x.hb', 's.last_heartbeat_at'),
      firmware_version: eb.fn.coalesce('x.fw', 's.firmware_version'),
      slot_count: eb
        .case()
        .when('x.slot_count', '>', 0)
        .then(eb.ref('x.slot_count'))
        .else(eb.ref('s.slot_count'))
        .end(),
      updated_at: now(),
    }))
    .whereRef('s.serial_number', '=', 'x.sn'),
);
const MARK_RENTED = prepared((db, p: { rows: string }) =>
  db
    .updateTable('power_bank as pb')
    .from(recordset(p.rows, 'x', { serial: 'text', rental: 'text' }))
    .set({
      status: 'rented',
      current_station_id: null,
      current_slot_index: null,
      placed_at: null,
      current_rental_id: uuidOrNull('x.rental'),
      last_seen_at: now(),
      updated_at: now(),
    })
    .whereRef('pb.serial_number', '=', 'x.serial'),
);
// A bank that vanished while rented is the rental's business; only banks thought to be in a slot are lost here.
const MARK_MISSING = prepared((db, p: { rows: string }) =>
  db
    .updateTable('power_bank as pb')
    .from(recordset(p.rows, 'x', { serial: 'text' }))
    .set({
      status: 'lost',
      current_station_id: null,
      current_slot_index: null,
      placed_at: null,
      updated_at: now(),
    })
    .whereRef('pb.serial_number', '=', 'x.serial')
    .where('pb.status', '=', 'in_slot'),
);
const INSERT_COMMANDS = prepared((db, p: { rows: string }) =>
  db
    .insertInto('station_command')
    .columns([
      'id',
      'serial_number',
      'kind',
      'slot_index',
      'rental_id',
      'payload',
      'status',
      'created_at',
      'updated_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom(
          recordset(p.rows, 'x', {
            id: 'text',
            sn: 'text',
            kind: 'text',
            slotIndex: 'int?',
            rentalId: 'text?',
            payload: 'jsonb',
          }),
        )
        .select([
          'x.id',
          'x.sn',
          'x.kind',
          'x.slotIndex',
          uuidOrNull('x.rentalId').as('rental_id'),
          'x.payload',
          sql.lit('pending').as('status'),
          now().as('created_at'),
          now().as('updated_at'),
        ]),
    )
    .onConflict((oc) => oc.column('id').doNothing()),
);
const RESOLVE_COMMANDS = prepared((db, p: { rows: string }) =>
  db
    .updateTable('station_command as c')
    .from(recordset(p.rows, 'x', { id: 'text', status: 'text', result: 'jsonb' }))
    .set((eb) => ({
      status: eb.ref('x.status').$castTo<DB['station_command']['status']>(),
      result: eb.ref('x.result').$castTo<DB['station_command']['result']>(),
      resolved_at: now(),
      updated_at: now(),
    }))
    .whereRef('c.id', '=', 'x.id'),
);
const INSERT_LOGS = prepared((db, p: { rows: string }) =>
  db
    .insertInto('system_log')
    .columns(['id', 'occurred_at', 'level', 'source', 'message', 'context'])
    .expression((eb) =>
      eb
        .selectFrom(recordset(p.rows, 'x', { level: 'text', message: 'text', context: 'jsonb', sn: 'text' }))
        .select([
          sql<string>`gen_random_uuid()`.as('id'),
          now().as('occurred_at'),
          'x.level',
          sql.lit('station-core').as('source'),
          'x.message',
          sql<Record<string, unknown>>`x.context || jsonb_build_object('sn', x.sn)`.as('context'),
        ]),
    ),
);
const PLACE_BANKS = prepared((db, p: { rows: string }) =>
  db
    .insertInto('power_bank')
    .columns([
      'id',
      'serial_number',
      'status',
      'battery_level',
      'current_station_id',
      'current_slot_index',
      'current_rental_id',
      'last_seen_at',
      'placed_at',
      'created_at',
      'updated_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom(
          recordset(p.rows, 'x', {
            sn: 'text',
            slot_index: 'int',
            pb: 'text',
            battery: 'int?',
            placed_at: 'timestamptz?',
          }),
        )
        .innerJoin('station as st', 'st.serial_number', 'x.sn')
        .select([
          sql<string>`gen_random_uuid()`.as('id'),
          'x.pb',
          sql.lit('in_slot').as('status'),
          'x.battery',
          'st.id',
          'x.slot_index',
          sql.lit(null).as('current_rental_id'),
          now().as('last_seen_at'),
          'x.placed_at',
          now().as('created_at'),
          now().as('updated_at'),
        ])
        .where('x.pb', 'is not', null),
    )
    .onConflict((oc) =>
      oc.column('serial_number').doUpdateSet((eb) => ({
        status: eb
          .case()
          .when('power_bank.status', 'in', ['retired'])
          .then(eb.ref('power_bank.status'))
          .else(sql.lit('in_slot').$castTo<DB['power_bank']['status']>())
          .end(),
        battery_level: eb.ref('excluded.battery_level'),
        current_station_id: eb.ref('excluded.current_station_id'),
        current_slot_index: eb.ref('excluded.current_slot_index'),
        current_rental_id: null,
        last_seen_at: now(),
        placed_at: eb.fn.coalesce('excluded.placed_at', 'power_bank.placed_at', now()),
        updated_at: now(),
      })),
    ),
);
/** A bank found in a slot leaves any other slot first: the unique slot→bank index allows one place. */
const TAKE_FROM_OTHER_SLOTS = prepared((db, p: { rows: string }) =>
  db
    .updateTable('station_slot as ss')
    .from(recordset(p.rows, 'x', { sn: 'text', slotIndex: 'int', powerBankSerial: 'text' }))
    .innerJoin('station as st', 'st.serial_number', 'x.sn')
    .innerJoin('power_bank as pb', 'pb.serial_number', 'x.powerBankSerial')
    .set({
      power_bank_id: null,
      status: 'empty',
      battery_level: null,
      last_changed_at: now(),
      updated_at: now(),
    })
    .whereRef('ss.power_bank_id', '=', 'pb.id')
    .where((eb) =>
      eb.not(
        eb.and([eb('ss.station_id', '=', eb.ref('st.id')), eb('ss.slot_index', '=', eb.ref('x.slotIndex'))]),
      ),
    ),
);
export const UPSERT_SLOTS = prepared((db, p: { rows: string }) =>
  db
    .insertInto('station_slot')
    .columns([
      'id',
      'station_id',
      'slot_index',
      'status',
      'power_bank_id',
      'battery_level',
      'last_changed_at',
      'created_at',
      'updated_at',
    ])
    .expression((eb) =>
      eb
        .selectFrom(
          recordset(p.rows, 'x', {
            sn: 'text',
            slotIndex: 'int',
            status: 'text',
            powerBankSerial: 'text?',
            battery: 'int?',
          }),
        )
        .innerJoin('station as st', 'st.serial_number', 'x.sn')
        .leftJoin('power_bank as pb', 'pb.serial_number', 'x.powerBankSerial')
        .select([
          sql<string>`gen_random_uuid()`.as('id'),
          'st.id',
          'x.slotIndex',
          'x.status',
          'pb.id',
          'x.battery',
          now().as('last_changed_at'),
          now().as('created_at'),
          now().as('updated_at'),
        ]),
    )
    .onConflict((oc) =>
      oc.columns(['station_id', 'slot_index']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        power_bank_id: eb.ref('excluded.power_bank_id'),
        battery_level: eb.ref('excluded.battery_level'),
        last_changed_at: eb
          .case()
          .when(
            eb.or([
              eb('station_slot.status', 'is distinct from', eb.ref('excluded.status')),
              eb('station_slot.power_bank_id', 'is distinct from', eb.ref('excluded.power_bank_id')),
            ]),
          )
          .then(now())
          .else(eb.ref('station_slot.last_changed_at'))
          .end(),
        updated_at: now(),
      })),
    ),
);
const STALE = 'stale actor state';
const SNAPSHOT_ROW = { sn: 'text', mv: 'int', snapshot: 'jsonb', version: 'int' } as const;
/**
 * The snapshots, optimistically locked, in one statement: a station's first is inserted, later
 * ones update where the stored version is the expected one; when fewer rows were written than
 * the batch has stations, the statement fails, and with it the batch's transaction. SQL has no
 * `raise`: the failure is a text that cannot be read as an integer, made of a count so the
 * planner cannot fold it into an error of every call.
 */
export const SAVE_SNAPSHOTS = prepared((db, p: { firsts: string; laters: string; count: number }) =>
  db
    .with('firsts', (q) =>
      q
        .insertInto('station_actor_state')
        .columns(['serial_number', 'machine_version', 'snapshot', 'version', 'updated_at'])
        .expression((eb) =>
          eb
            .selectFrom(recordset(p.firsts, 'x', SNAPSHOT_ROW))
            .select(['x.sn', 'x.mv', 'x.snapshot', 'x.version', now().as('updated_at')]),
        )
        .onConflict((oc) => oc.column('serial_number').doNothing())
        .returning(sql<number>`1`.as('one')),
    )
    .with('laters', (q) =>
      q
        .updateTable('station_actor_state as s')
        .from(recordset(p.laters, 'x', { ...SNAPSHOT_ROW, expected: 'int' }))
        .set((eb) => ({
          machine_version: eb.ref('x.mv'),
          snapshot: eb.ref('x.snapshot').$castTo<DB['station_actor_state']['snapshot']>(),
          version: eb.ref('x.version'),
          updated_at: now(),
        }))
        .whereRef('s.serial_number', '=', 'x.sn')
        .whereRef('s.version', '=', 'x.expected')
        .returning(sql<number>`1`.as('one')),
    )
    .with('written', (q) =>
      q.selectNoFrom(sql<number>`(select count(*) from firsts) + (select count(*) from laters)`.as('n')),
    )
    .selectFrom('written')
    .select(
      sql<number>`case when n = ${p.count} then n else (${sql.lit(`${STALE}: `)} || n || ' of ' || ${p.count})::int end`.as(
        'n',
      ),
    ),
);

/**
 * The only writer of station, slot and power-bank state. Each batch is one
 * transaction: actor snapshots (optimistically locked), their projection into
 * Station/StationSlot/PowerBank, the command log and system log rows.
 */
export class StationStore {
  constructor(private readonly db: SqlPool) {}

  async load(
    sn: string,
  ): Promise<{ machineVersion: number; snapshot: PersistedActor; version: number } | undefined> {
    const [row] = await this.db.rows(ACTOR_STATE, { sn });
    return row
      ? {
          machineVersion: Number(row.machine_version),
          snapshot: row.snapshot as PersistedActor,
          version: Number(row.version),
        }
      : undefined;
  }

  /** What the database knows of a station before its actor first ran (slot count for the initial context). */
  async stationInfo(sn: string): Promise<{ slotCount: number } | undefined> {
    const [row] = await this.db.rows(STATION_INFO, { sn });
    return row ? { slotCount: Number(row.slot_count) } : undefined;
  }

  /**
   * Writes a batch in one transaction. A station whose stored version moved
   * (another writer) is taken out and the rest written without it; a deadlock
   * or serialization failure is retried. When the database refuses the data
   * itself, the batch is split in halves (a station's writes stay together)
   * and each written apart, down to the station at fault: one bad message
   * costs a few more round trips, not every station of its batch.
   */
  async write(batch: StationWrite[]): Promise<WriteOutcome> {
    const outcome: WriteOutcome = { stale: new Set(), refused: new Map() };
    await this.writeApart(batch, outcome);
    return outcome;
  }

  private async writeApart(batch: StationWrite[], outcome: WriteOutcome): Promise<void> {
    try {
      for (const sn of await this.writeRetrying(batch)) outcome.stale.add(sn);
    } catch (error) {
      if (!isRefusedData(error)) throw error;
      const serials = [...new Set(batch.map((w) => w.sn))];
      if (serials.length === 1) {
        outcome.refused.set(serials[0]!, new RefusedWriteError(serials[0]!, error));
        return;
      }
      const first = new Set(serials.slice(0, Math.ceil(serials.length / 2)));
      await this.writeApart(
        batch.filter((w) => first.has(w.sn)),
        outcome,
      );
      await this.writeApart(
        batch.filter((w) => !first.has(w.sn)),
        outcome,
      );
    }
  }

  /** One batch, stale stations left out and deadlocks retried; returns the stale serials. */
  private async writeRetrying(batch: StationWrite[]): Promise<Set<string>> {
    const stale = new Set<string>();
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        await this.writeOnce(pending);
        return stale;
      } catch (error) {
        if (error instanceof StaleActorError && attempt <= 3) {
          for (const sn of error.serials) stale.add(sn);
          pending = pending.filter((w) => !stale.has(w.sn));
        } else if (isRetryable(error) && attempt <= 3) {
          await new Promise((r) => setTimeout(r, 5 * attempt));
        } else {
          throw error;
        }
      }
    }
    return stale;
  }

  private async writeOnce(batch: StationWrite[]): Promise<void> {
    // Several transitions of one station can share a batch: its last one holds the newest state.
    const latest = new Map<string, StationWrite>();
    for (const w of batch) latest.set(w.sn, w);
    // Rows in one order in every transaction, so concurrent batches lock them in the same order.
    const finals = [...latest.values()].sort((a, b) => (a.sn < b.sn ? -1 : a.sn > b.sn ? 1 : 0));
    const firstVersion = new Map<string, number>();
    for (const w of batch) if (!firstVersion.has(w.sn)) firstVersion.set(w.sn, w.version);

    // The whole batch in one round trip, one transaction: every further round trip would hold the
    // batch's row locks — and a rental start waiting for its eject — for one more wake-up of both
    // processes. The snapshots go first; their statement fails the transaction when one is stale.
    const snapshots = snapshotRows(finals, firstVersion);
    const statements = [saveSnapshots(snapshots), ...this.projection(batch, finals)];
    try {
      await this.db.batch(statements);
    } catch (error) {
      if (!isStaleCheck(error)) throw error;
      throw new StaleActorError(await this.staleOf(snapshots));
    }
  }

  /** The rest of a batch's writes: station, slot and power-bank rows, the command log, system log. */
  private projection(batch: StationWrite[], finals: StationWrite[]): Statement[] {
    const statements: Statement[] = [];
    const changed = new Set(batch.filter((w) => w.stationChanged).map((w) => w.sn));
    const moved = finals.filter((w) => changed.has(w.sn));
    if (moved.length) statements.push(this.updateStations(moved));
    // The newest row of each slot; its bank is placed if any write of the batch asked for it.
    const bySlot = new Map<string, SlotRow>();
    for (const slot of batch.flatMap((w) => w.slots)) {
      const key = `${slot.sn}#${slot.slotIndex}`;
      const earlier = bySlot.get(key);
      bySlot.set(key, earlier?.placeBank ? { ...slot, placeBank: slot.powerBankSerial !== null } : slot);
    }
    const slots = [...bySlot.values()];
    // When the station put each returned bank there, whichever write of the batch reported it.
    const placedAt = new Map<string, number>();
    for (const slot of batch.flatMap((w) => w.slots)) {
      if (slot.powerBankSerial !== null && slot.placedAt !== undefined)
        placedAt.set(slot.powerBankSerial, slot.placedAt);
    }
    if (slots.length) statements.push(...this.placeSlots(slots, placedAt));
    const rented = batch.flatMap((w) => w.rented);
    if (rented.length) statements.push(this.markRented(rented));
    const missing = batch.flatMap((w) => w.missing);
    if (missing.length) statements.push(this.markMissing(missing));
    const commands = batch.flatMap((w) => w.newCommands);
    if (commands.length) statements.push(this.insertCommands(commands));
    const outcomes = batch.flatMap((w) => w.outcomes);
    if (outcomes.length) statements.push(this.resolveCommands(outcomes));
    const logs = batch.flatMap((w) => w.logs.map((l) => ({ ...l, sn: w.sn })));
    if (logs.length) statements.push(this.insertLogs(logs));
    return statements;
  }

  /** The stations whose stored snapshot is no longer the one a write of `rows` replaces. */
  private async staleOf(rows: SnapshotRow[]): Promise<string[]> {
    const stored = await this.db.rows(ACTOR_VERSIONS, { serials: rows.map((r) => r.sn) });
    const versions = new Map(stored.map((r) => [r.serial_number, Number(r.version)]));
    return rows.filter((r) => (versions.get(r.sn) ?? 0) !== r.expected).map((r) => r.sn);
  }

  private updateStations(finals: StationWrite[]): Statement {
    const rows = finals.map((w) => ({
      sn: w.sn,
      status: w.station.status,
      hb: w.station.lastHeartbeatAt,
      fw: w.station.firmware,
      slot_count: w.station.slotCount,
    }));
    return statementOf(UPDATE_STATIONS, { rows: json(rows) });
  }

  /**
   * Puts power banks where the actors say they are: unknown serials become
   * PowerBank rows, a bank found here is taken out of any other slot first
   * (the unique slot→bank index allows one place), then the slot rows are upserted.
   * `placed_at` is the station's time of the bank's return (`placedAt`, by serial); a bank
   * placed without one (moved within the station, its charge changed) keeps the time it has,
   * and one that had none (it was rented) gets the write's.
   */
  private placeSlots(slots: SlotRow[], placedAt: ReadonlyMap<string, number>): Statement[] {
    const statements: Statement[] = [];
    // A bank already in this slot with the same charge needs no power_bank write (a slot starting to eject).
    const occupied = slots.filter((s) => s.powerBankSerial && s.placeBank);
    if (occupied.length) {
      const banks = occupied.map((s) => {
        const at = s.powerBankSerial === null ? undefined : placedAt.get(s.powerBankSerial);
        return {
          sn: s.sn,
          slot_index: s.slotIndex,
          pb: s.powerBankSerial,
          battery: s.battery,
          placed_at: at === undefined ? null : new Date(at).toISOString(),
        };
      });
      statements.push(statementOf(PLACE_BANKS, { rows: json(banks) }));
      statements.push(statementOf(TAKE_FROM_OTHER_SLOTS, { rows: json(occupied) }));
    }
    statements.push(statementOf(UPSERT_SLOTS, { rows: json(slots) }));
    return statements;
  }

  private markRented(rented: { serial: string; rentalId: string }[]): Statement {
    return statementOf(MARK_RENTED, {
      rows: json(rented.map((r) => ({ serial: r.serial, rental: r.rentalId }))),
    });
  }

  private markMissing(missing: { serial: string; reason: string }[]): Statement {
    return statementOf(MARK_MISSING, { rows: json(missing.map((m) => ({ serial: m.serial }))) });
  }

  private insertCommands(commands: CommandRow[]): Statement {
    return statementOf(INSERT_COMMANDS, { rows: json(commands) });
  }

  private resolveCommands(outcomes: CommandOutcome[]): Statement {
    return statementOf(RESOLVE_COMMANDS, { rows: json(outcomes) });
  }

  private insertLogs(logs: (StationWrite['logs'][number] & { sn: string })[]): Statement {
    return statementOf(INSERT_LOGS, { rows: json(logs) });
  }

  /** A SystemLog row of station-core's own about one message (refused, dead-lettered), with its raw payload. */
  async logMessage(entry: {
    level: 'warn' | 'error';
    message: string;
    context: Record<string, unknown>;
    rawPayload: Uint8Array;
  }): Promise<void> {
    await this.db.rows(LOG_MESSAGE, {
      level: entry.level,
      message: entry.message,
      context: JSON.stringify(entry.context).replaceAll('\\u0000', ''),
      // Text cannot hold NUL; bytes that are not UTF-8 are replaced rather than lost entirely.
      rawPayload: Buffer.from(entry.rawPayload).toString('utf8').replaceAll('\u0000', ''),
    });
  }

  /**
   * Commands committed but never handed to NATS (a crash in between): sent again. Only young ones:
   * an eject older than its timeout has already been answered `timeout`, and sending it now could
   * release a power bank for a rental that was refunded.
   */
  async unsentCommands(maxAgeMs: number): Promise<CommandRow[]> {
    const rows = await this.db.rows(UNSENT_COMMANDS, { maxAgeMs });
    return rows.map((row) => ({ ...row, slotIndex: row.slotIndex === null ? null : Number(row.slotIndex) }));
  }

  async markSent(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.rows(MARK_SENT, { ids: JSON.stringify(ids) });
  }

  /** Ejects still waiting for the station's answer, with when they were committed (timers resume after a restart). */
  async openEjects(): Promise<{ id: string; sn: string; createdAt: Date }[]> {
    const rows = await this.db.rows(OPEN_EJECTS, {});
    return rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt) }));
  }

  /** Online stations silent for longer than `silentMs` (restart-safe: read from the database, not memory). */
  async silentStations(silentMs: number): Promise<{ sn: string; lastHeartbeatAt: Date | null }[]> {
    const rows = await this.db.rows(SILENT_STATIONS, { silentMs });
    return rows.map((row) => ({
      sn: row.sn,
      lastHeartbeatAt: row.lastHeartbeatAt === null ? null : new Date(row.lastHeartbeatAt),
    }));
  }
}

interface SnapshotRow {
  sn: string;
  mv: number;
  snapshot: PersistedActor;
  version: number;
  /** The stored version this write replaces (0: the station's first snapshot). */
  expected: number;
}

function snapshotRows(finals: StationWrite[], firstVersion: Map<string, number>): SnapshotRow[] {
  return finals.map((w) => ({
    sn: w.sn,
    mv: w.machineVersion,
    snapshot: w.snapshot,
    version: w.version,
    expected: (firstVersion.get(w.sn) ?? w.version) - 1,
  }));
}

/** The error the snapshots' statement raises when a stored version moved (see `saveSnapshots`). */
function isStaleCheck(error: unknown): boolean {
  return (error as { code?: string }).code === '22P02' && String((error as Error).message).includes(STALE);
}

function saveSnapshots(rows: SnapshotRow[]): Statement {
  return statementOf(SAVE_SNAPSHOTS, {
    firsts: json(rows.filter((r) => r.expected === 0)),
    laters: json(rows.filter((r) => r.expected > 0)),
    count: rows.length,
  });
}
