import {
  type CommandAck,
  type DispenseResult,
  pureTransition,
  restoredStationContext,
  STATION_MACHINE_VERSION,
  type StationContext,
  type StationEffect,
  type StationEvent,
  type StationState,
  stationMachine,
} from '@powerbank/machines';
import { buildDown, type StationChangedEvent } from '@powerbank/protocol';
import { initialTransition, type SnapshotFrom } from 'xstate';
import { effectsOf } from './station-effects.ts';
import {
  changedSlotRows,
  rentedBanks,
  stationChangedEvent,
  stationRow,
  stationRowChanged,
} from './station-projection.ts';
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

/**
 * One station's actor: a mailbox in front of the pure station machine. Events
 * are handled one at a time; each transition is persisted (with its projection
 * and command log rows) before the next event is looked at and before the
 * caller — e.g. the JetStream consumer, which then acks — is told it is done.
 */
export class StationActor {
  private snapshot: Snapshot;
  private version: number;
  private readonly mailbox: { event: StationEvent; resolve: () => void; reject: (error: unknown) => void }[] =
    [];
  private draining = false;
  private retired = false;

  constructor(
    readonly sn: string,
    seed: ActorSeed,
    private readonly runtime: ActorRuntime,
  ) {
    ({ snapshot: this.snapshot, version: this.version } = restore(seed));
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

  /**
   * Handles `event` after every event sent before it; resolves once its
   * transition is durable. Events that queue up while a write is in flight are
   * applied together and persisted as one write (the station's newest state),
   * so a busy station costs one round trip per batch, not per event.
   */
  send(event: StationEvent): Promise<void> {
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
        await this.handle(batch.map((entry) => entry.event));
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
  private async handleApart(entries: typeof this.mailbox): Promise<void> {
    for (const entry of entries) {
      try {
        await this.handle([entry.event]);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
      }
    }
  }

  private async handle(events: StationEvent[]): Promise<void> {
    if (this.retired)
      throw new Error(`actor of ${this.sn} was retired; the event is redelivered to its successor`);
    const before = this.snapshot;
    let after = before;
    const effects: StationEffect[] = [];
    for (const event of events) {
      const [next, actions] = step(after, event);
      effects.push(...effectsOf(actions as { type: string; params?: unknown }[]));
      after = next;
    }
    const unchanged =
      after.value === before.value &&
      effects.length === 0 &&
      (after.context === before.context || JSON.stringify(after.context) === JSON.stringify(before.context));
    if (unchanged) return;

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
      rented: rentedBanks(results, after.context),
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
    this.version = write.version;
    const changed =
      write.stationChanged || write.slots.length > 0
        ? stationChangedEvent(this.sn, after.value as StationState, after.context)
        : undefined;
    this.runtime.afterCommit(this.sn, effects, commands, changed);
  }
}
