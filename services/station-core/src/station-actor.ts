import {
  type CommandAck,
  type DispenseResult,
  pureTransition,
  restoredStationContext,
  STATION_MACHINE_VERSION,
  type StationContext,
  type StationEffect,
  type StationEvent,
  type StationSlot,
  type StationState,
  stationMachine,
} from '@powerbank/machines';
import { buildDown, type StationChangedEvent } from '@powerbank/protocol';
import { initialTransition, type SnapshotFrom } from 'xstate';
import { effectsOf } from './station-effects.ts';
import { changedSlotRows, stationChangedEvent, stationRow, stationRowChanged } from './station-projection.ts';
import {
  type CommandRow,
  type PersistedActor,
  RefusedWriteError,
  type StationWrite,
} from './station-store.ts';

type Snapshot = SnapshotFrom<typeof stationMachine>;

const step = pureTransition(stationMachine);

/** Upper bound of events applied and persisted together by one actor. */
const MAX_EVENTS_PER_WRITE = 64;

/** What an actor needs from its host: persistence, and effects to run once a transition is committed. */
export interface ActorRuntime {
  persist(write: StationWrite): Promise<void>;
  /** `changed`: the station's state when its status or slots moved (for `core.evt.station`). */
  afterCommit(
    sn: string,
    effects: StationEffect[],
    commands: CommandRow[],
    changed: StationChangedEvent | undefined,
  ): void;
}

export interface ActorSeed {
  sn: string;
  batteryThreshold: number;
  slotCount: number;
  historySize: number;
  stored?: { machineVersion: number; snapshot: PersistedActor; version: number };
  /**
   * A transition that moves only what the station was last seen doing (see `onlyLastSeenMoved`) is
   * kept in memory for up to this long after the station's last write, and then written with the
   * next event or by `flush`. 0: every transition is written.
   */
  lastSeenPersistMs?: number;
}

function restore(seed: ActorSeed): { snapshot: Snapshot; version: number } {
  const input = {
    sn: seed.sn,
    batteryThreshold: seed.batteryThreshold,
    slotCount: seed.slotCount,
    historySize: seed.historySize,
  };
  if (seed.stored && seed.stored.machineVersion === STATION_MACHINE_VERSION) {
    const snapshot = stationMachine.resolveState({
      value: seed.stored.snapshot.value as StationState,
      context: restoredStationContext(seed.stored.snapshot.context as StationContext),
    });
    return { snapshot, version: seed.stored.version };
  }
  // No state yet, or written by an older machine: start fresh (offline); the station's next hello rebuilds it.
  const [snapshot] = initialTransition(stationMachine, input);
  return { snapshot, version: seed.stored?.version ?? 0 };
}

/** Down commands the effects ask for, as rows for the command log. */
function commandsFor(sn: string, effects: StationEffect[]): CommandRow[] {
  const rows: CommandRow[] = [];
  for (const effect of effects) {
    if (effect.type === 'sendEject') {
      const { commandId, slot, rentalId } = effect.params;
      const payload = buildDown('eject', { commandId, slot, rentalId });
      rows.push({ id: commandId, sn, kind: 'eject', slotIndex: slot, rentalId: rentalId ?? null, payload });
    } else if (effect.type === 'sendSync') {
      const payload = buildDown('sync', {});
      rows.push({ id: payload.msgId, sn, kind: 'sync', slotIndex: null, rentalId: null, payload });
    } else if (effect.type === 'sendLockSlot' || effect.type === 'sendUnlockSlot') {
      const kind = effect.type === 'sendLockSlot' ? 'lock-slot' : 'unlock-slot';
      const { slot, commandId } = effect.params;
      const payload = buildDown(kind, commandId ? { slot, msgId: commandId } : { slot });
      rows.push({ id: payload.msgId, sn, kind, slotIndex: effect.params.slot, rentalId: null, payload });
    }
  }
  return rows;
}

/** The banks the effects report returned, by serial, with when the station put them there (the latest report wins). */
function returnTimes(effects: StationEffect[]): Map<string, number> {
  return new Map(
    effects.flatMap((e) =>
      e.type === 'reportReturn' ? [[e.params.powerBankSerial, e.params.at] as const] : [],
    ),
  );
}

function outcomeOf(result: DispenseResult) {
  const status = result.ok ? 'succeeded' : result.reason === 'timeout' ? 'timed_out' : 'failed';
  return { id: result.commandId, status, result: result as unknown as Record<string, unknown> } as const;
}

/** A command's row in the command log, settled by the station's acknowledgement. */
function ackOutcome(ack: CommandAck) {
  const status = ack.ok ? 'succeeded' : 'failed';
  return { id: ack.commandId, status, result: { ...ack } as Record<string, unknown> } as const;
}

/** The context fields a heartbeat moves that need not reach the database at once. */
const LAST_SEEN_FIELDS = new Set<string>(['seenMsgIds', 'lastSeq', 'lastHeartbeatAt', 'slots']);

/** Same slot, same power bank, same state: at most the bank's charge moved. */
function onlyChargeMoved(stored: StationSlot, now: StationSlot): boolean {
  if (stored === now) return true;
  if (stored.slot !== now.slot || stored.state !== now.state || stored.commandId !== now.commandId)
    return false;
  if (stored.error !== now.error) return false;
  const a = stored.powerBank;
  const b = now.powerBank;
  return a === b || (a !== undefined && b !== undefined && a.serial === b.serial);
}

/**
 * Whether `now` differs from the stored state only in when the station was last heard from and
 * what it last said of its banks' charge: the message window, the highest heartbeat seq, the time
 * of the last message, batteries whose slots kept their state (a bank crossing the rentable
 * threshold changes its slot's state, and is written). Every other field must be the very value
 * stored (the machine copies unchanged fields by reference), so a field added to the context
 * later is written by default. Losing such a change (a crash before it is written) costs a new
 * owner only an older last-seen time and charge, both refreshed by the station's next heartbeat.
 */
export function onlyLastSeenMoved(stored: Snapshot, now: Snapshot): boolean {
  if (stored.value !== now.value) return false;
  const a = stored.context as unknown as Record<string, unknown>;
  const b = now.context as unknown as Record<string, unknown>;
  for (const key in b) if (!LAST_SEEN_FIELDS.has(key) && a[key] !== b[key]) return false;
  for (const key in a) if (!(key in b)) return false;
  const before = stored.context.slots;
  const after = now.context.slots;
  if (before === after) return true;
  if (before.length !== after.length) return false;
  for (let i = 0; i < after.length; i++) if (!onlyChargeMoved(before[i]!, after[i]!)) return false;
  return true;
}

type MailboxEntry = {
  /** null: no event, write what is only in memory (`flush`). */
  event: StationEvent | null;
  resolve: () => void;
  reject: (error: unknown) => void;
};

/**
 * One station's actor: a mailbox in front of the pure station machine. Events
 * are handled one at a time; each transition is persisted (with its projection
 * and command log rows) before the next event is looked at and before the
 * caller — e.g. the JetStream consumer, which then acks — is told it is done.
 * The exception is a heartbeat that moves only the last-seen fields (`onlyLastSeenMoved`):
 * it is applied in memory and acknowledged, and reaches the database with the station's
 * next write, at most `lastSeenPersistMs` after the last one (or with `flush`).
 */
export class StationActor {
  private snapshot: Snapshot;
  /** What the database holds, at `version`; `snapshot` may be ahead of it by last-seen fields only. */
  private stored: Snapshot;
  /** When `stored` was written (0: loaded, so the next change is written at once). */
  private storedAt = 0;
  private version: number;
  private readonly lastSeenPersistMs: number;
  private readonly mailbox: MailboxEntry[] = [];
  private draining = false;
  private retired = false;

  constructor(
    readonly sn: string,
    seed: ActorSeed,
    private readonly runtime: ActorRuntime,
  ) {
    ({ snapshot: this.snapshot, version: this.version } = restore(seed));
    this.stored = this.snapshot;
    this.lastSeenPersistMs = seed.lastSeenPersistMs ?? 0;
  }

  get state(): StationState {
    return this.snapshot.value as StationState;
  }

  get context(): StationContext {
    return this.snapshot.context;
  }

  /** This actor's state is no longer the station's (another writer moved it): refuse what is still queued. */
  retire(): void {
    this.retired = true;
  }

  /** It holds last-seen fields the database does not have yet, applied more than `ms` after its last write. */
  holdsUnwrittenFor(ms: number, now = Date.now()): boolean {
    return !this.retired && this.snapshot !== this.stored && now - this.storedAt >= ms;
  }

  /** Writes what is only in memory (after every event sent before); resolves at once if nothing is. */
  flush(): Promise<void> {
    if (this.retired || (this.snapshot === this.stored && this.mailbox.length === 0))
      return Promise.resolve();
    return this.enqueue(null);
  }

  /**
   * Handles `event` after every event sent before it; resolves once its
   * transition is durable. Events that queue up while a write is in flight are
   * applied together and persisted as one write (the station's newest state),
   * so a busy station costs one round trip per batch, not per event.
   */
  send(event: StationEvent): Promise<void> {
    return this.enqueue(event);
  }

  private enqueue(event: StationEvent | null): Promise<void> {
    return new Promise((resolve, reject) => {
      this.mailbox.push({ event, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.mailbox.length > 0) {
      const batch = this.mailbox.splice(0, MAX_EVENTS_PER_WRITE);
      try {
        await this.handle(
          eventsOf(batch),
          batch.some((entry) => entry.event === null),
        );
        for (const entry of batch) entry.resolve();
      } catch (error) {
        if (error instanceof RefusedWriteError && batch.length > 1) await this.handleApart(batch);
        else for (const entry of batch) entry.reject(error);
      }
    }
    this.draining = false;
  }

  /**
   * The database refused the write of several events together: each is applied and written on
   * its own, so only the event whose data it refuses fails (and is dead-lettered), not its neighbours.
   */
  private async handleApart(entries: MailboxEntry[]): Promise<void> {
    for (const entry of entries) {
      try {
        await this.handle(eventsOf([entry]), entry.event === null);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
      }
    }
  }

  /** Applies `events`; writes the result unless nothing moved, or only last-seen fields did lately (`flush`: writes anyway). */
  private async handle(events: StationEvent[], flush: boolean): Promise<void> {
    if (this.retired)
      throw new Error(`actor of ${this.sn} was retired; the event is redelivered to its successor`);
    let after = this.snapshot;
    const effects: StationEffect[] = [];
    for (const event of events) {
      const [next, actions] = step(after, event);
      effects.push(...effectsOf(actions as { type: string; params?: unknown }[]));
      after = next;
    }
    // The write and its projection are measured against what the database holds, which may be
    // behind the in-memory state by heartbeats not written yet.
    const before = this.stored;
    if (after === before) return;
    if (!flush && this.mayKeepInMemory(after, effects)) {
      this.snapshot = after;
      return;
    }
    const unchanged =
      after.value === before.value &&
      effects.length === 0 &&
      (after.context === before.context || JSON.stringify(after.context) === JSON.stringify(before.context));
    if (unchanged) {
      this.snapshot = before;
      return;
    }

    const commands = commandsFor(this.sn, effects);
    const results = effects.flatMap((e) => (e.type === 'reportDispenseResult' ? [e.params] : []));
    const write: StationWrite = {
      sn: this.sn,
      machineVersion: STATION_MACHINE_VERSION,
      snapshot: { value: after.value, context: after.context },
      version: this.version + 1,
      station: stationRow(this.sn, after.value as StationState, after.context),
      stationChanged:
        this.version === 0 ||
        stationRowChanged(
          { state: before.value as StationState, context: before.context },
          { state: after.value as StationState, context: after.context },
        ),
      slots: changedSlotRows(this.sn, before.context, after.context, returnTimes(effects)),
      newCommands: commands,
      outcomes: [
        ...results.filter((r) => r.commandId).map(outcomeOf),
        ...effects.flatMap((e) => (e.type === 'reportCommandAck' ? [ackOutcome(e.params)] : [])),
      ],
      rented: results.flatMap((r) =>
        r.ok && r.rentalId ? [{ serial: r.powerBankSerial, rentalId: r.rentalId }] : [],
      ),
      missing: effects.flatMap((e) =>
        e.type === 'reportMissing' ? [{ serial: e.params.powerBankSerial, reason: e.params.reason }] : [],
      ),
      logs: effects.flatMap((e) =>
        e.type === 'reportMissing'
          ? [{ level: 'warn' as const, message: 'power bank missing from slot', context: { ...e.params } }]
          : [],
      ),
    };
    // The in-memory state moves only once the database has it: a failed write leaves the actor as it was.
    await this.runtime.persist(write);
    this.snapshot = after;
    this.stored = after;
    this.storedAt = Date.now();
    this.version = write.version;
    const changed =
      write.stationChanged || write.slots.length > 0
        ? stationChangedEvent(this.sn, after.value as StationState, after.context)
        : undefined;
    this.runtime.afterCommit(this.sn, effects, commands, changed);
  }

  /** A transition with no effect but `persist` that moved only last-seen fields, within the write interval. */
  private mayKeepInMemory(after: Snapshot, effects: StationEffect[]): boolean {
    if (this.lastSeenPersistMs <= 0 || Date.now() - this.storedAt >= this.lastSeenPersistMs) return false;
    for (const effect of effects) if (effect.type !== 'persist') return false;
    return onlyLastSeenMoved(this.stored, after);
  }
}

function eventsOf(entries: MailboxEntry[]): StationEvent[] {
  const events: StationEvent[] = [];
  for (const entry of entries) if (entry.event !== null) events.push(entry.event);
  return events;
}
