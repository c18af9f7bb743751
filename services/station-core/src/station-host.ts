import type {
  CommandAck,
  DispenseResult,
  MissingReport,
  ReturnReport,
  StationEffect,
  StationEvent,
} from '@powerbank/machines';
import type { StationChangedEvent } from '@powerbank/protocol';
import type { Logger } from 'pino';
import { Batcher } from './batcher.ts';
import { type ActorRuntime, StationActor } from './station-actor.ts';
import { type CommandRow, StaleActorError, type StationStore, type StationWrite } from './station-store.ts';

/** An event from a serial that is not in the `station` table. */
export class UnknownStationError extends Error {
  constructor(readonly sn: string) {
    super(`no station ${sn} is registered`);
    this.name = 'UnknownStationError';
  }
}

/** Where the host sends what actors decide, once it is committed. */
export interface HostOutputs {
  /** Hands a committed command to the broker; resolves when NATS accepted it. */
  publishCommand(command: CommandRow): Promise<void>;
  onDispenseResult(sn: string, result: DispenseResult): void;
  /** The station acknowledged (or refused) a command other than an eject. */
  onCommandAck?(sn: string, ack: CommandAck): void;
  onReturn(sn: string, report: ReturnReport): void;
  onMissing(sn: string, report: MissingReport): void;
  /** A station's status or slots changed (committed). */
  onStationChanged(event: StationChangedEvent): void;
}

export interface HostOptions {
  store: StationStore;
  outputs: HostOutputs;
  logger: Logger;
  batteryThreshold: number;
  ejectTimeoutMs: number;
  /** Write batching: at most this many transitions per transaction. */
  batchSize?: number;
  /** Batches written at the same time; writes arriving meanwhile wait and form the next batch. */
  writeConcurrency?: number;
  /** Message ids each actor remembers for de-duplication (JetStream also drops repeats within its window). */
  historySize?: number;
}

/**
 * Hosts one actor per station, created on first use from its persisted state.
 * Writes of all actors are batched into shared transactions; commands go out
 * only after the transaction that decided them committed.
 */
export class StationHost {
  private readonly actors = new Map<string, Promise<StationActor>>();
  private readonly writer: Batcher<StationWrite>;
  /** By command id: the station's serial (a partition handed back takes its timers along) and the timer. */
  private readonly ejectTimers = new Map<string, { sn: string; timer: NodeJS.Timeout }>();
  private readonly handingOver = new Set<string>();
  /** Commands handed to the broker lately, by when (oldest first), until their `sent` mark surely committed. */
  private readonly handedOver = new Map<string, number>();
  private readonly runtime: ActorRuntime;

  constructor(private readonly options: HostOptions) {
    this.writer = new Batcher(
      async (batch) => {
        const { stale, refused } = await options.store.write(batch);
        if (stale.size === 0 && refused.size === 0) return undefined;
        const staleError = new StaleActorError([...stale]);
        const failed = new Map<StationWrite, unknown>();
        for (const w of batch) {
          if (stale.has(w.sn)) failed.set(w, staleError);
          else if (refused.has(w.sn)) failed.set(w, refused.get(w.sn));
        }
        return failed;
      },
      options.batchSize ?? 500,
      options.writeConcurrency ?? 2,
    );
    this.runtime = {
      persist: (write) => this.writer.add(write),
      afterCommit: (sn, effects, commands, changed) => {
        this.afterCommit(sn, effects, commands);
        if (changed) this.options.outputs.onStationChanged(changed);
      },
    };
  }

  get size(): number {
    return this.actors.size;
  }

  /** The actor of `sn`, loading its persisted state the first time. */
  actor(sn: string): Promise<StationActor> {
    let actor = this.actors.get(sn);
    if (!actor) {
      actor = this.load(sn);
      this.actors.set(sn, actor);
      actor.catch(() => this.actors.delete(sn));
    }
    return actor;
  }

  async send(sn: string, event: StationEvent): Promise<void> {
    const current = this.actor(sn);
    const actor = await current;
    try {
      await actor.send(event);
    } catch (error) {
      // Another writer moved this station's stored state: forget the in-memory actor (and stop its
      // queued events) so the next event starts again from what the database holds. Other failures
      // (database down) leave the actor as it was: it only moves once a write commits.
      if (error instanceof StaleActorError && this.actors.get(sn) === current) {
        actor.retire();
        this.actors.delete(sn);
      }
      throw error;
    }
  }

  /**
   * This host is handing the command to the broker, or has handed it over lately: the outbox must
   * not send it again. Being handed over "right now" is not enough to know: the outbox may read a
   * command as pending just before its `sent` mark commits and look only after the handover ended,
   * and a second copy of an eject reaching the station mid-eject is answered `busy`, which fails the
   * rental (seen once in ~10,000 rentals of bench:rentals).
   */
  isSendingOrSent(commandId: string): boolean {
    return this.handingOver.has(commandId) || this.handedOver.has(commandId);
  }

  /**
   * Resumes the eject timers of commands still open in the log (after a restart, or when this
   * instance takes over a partition): of the stations `serves` names, all by default.
   */
  async resumeEjectTimers(serves: (sn: string) => boolean = () => true): Promise<void> {
    for (const open of await this.options.store.openEjects()) {
      if (!serves(open.sn)) continue;
      const elapsed = Date.now() - new Date(open.createdAt).getTime();
      this.armEjectTimer(open.sn, open.id, Math.max(0, this.options.ejectTimeoutMs - elapsed));
    }
  }

  /**
   * Forgets the stations `leaving` names (their partition went to another instance): their actors
   * stop (events still queued for them fail and are delivered again, to the new owner) and their
   * eject timers are the new owner's to resume. Writes already in flight finish first.
   */
  async drop(leaving: (sn: string) => boolean): Promise<void> {
    for (const [commandId, { sn, timer }] of this.ejectTimers) {
      if (!leaving(sn)) continue;
      clearTimeout(timer);
      this.ejectTimers.delete(commandId);
    }
    for (const [sn, actor] of this.actors) {
      if (!leaving(sn)) continue;
      this.actors.delete(sn);
      void actor.then((a) => a.retire()).catch(() => undefined);
    }
    await this.writer.drain();
  }

  async stop(): Promise<void> {
    for (const { timer } of this.ejectTimers.values()) clearTimeout(timer);
    this.ejectTimers.clear();
    await this.writer.drain();
  }

  private async load(sn: string): Promise<StationActor> {
    const [stored, info] = await Promise.all([
      this.options.store.load(sn),
      this.options.store.stationInfo(sn),
    ]);
    // Stations are provisioned (a row, broker credentials) before they speak: a serial nobody
    // registered gets no row and no actor, whatever it sends.
    if (!info) throw new UnknownStationError(sn);
    return new StationActor(
      sn,
      {
        sn,
        batteryThreshold: this.options.batteryThreshold,
        slotCount: info.slotCount,
        historySize: this.options.historySize ?? 16,
        stored,
      },
      this.runtime,
    );
  }

  private armEjectTimer(sn: string, commandId: string, delayMs: number): void {
    if (this.ejectTimers.has(commandId)) return;
    const timer = setTimeout(() => {
      this.ejectTimers.delete(commandId);
      this.send(sn, { type: 'EJECT_TIMED_OUT', commandId }).catch((error: unknown) =>
        this.options.logger.error({ err: error, sn, commandId }, 'could not time out eject'),
      );
    }, delayMs);
    timer.unref();
    this.ejectTimers.set(commandId, { sn, timer });
  }

  /** The outbox resends only commands younger than the eject timeout: older entries are let go. */
  private rememberHandedOver(commandId: string): void {
    const now = Date.now();
    this.handedOver.set(commandId, now);
    for (const [id, at] of this.handedOver) {
      if (at >= now - this.options.ejectTimeoutMs * 2) break;
      this.handedOver.delete(id);
    }
  }

  private afterCommit(sn: string, effects: StationEffect[], commands: CommandRow[]): void {
    const { outputs, logger } = this.options;
    for (const command of commands) {
      if (command.kind === 'eject') this.armEjectTimer(sn, command.id, this.options.ejectTimeoutMs);
      this.handingOver.add(command.id);
      outputs
        .publishCommand(command)
        .then(() => {
          this.rememberHandedOver(command.id);
          return this.options.store.markSent([command.id]);
        })
        .catch((error: unknown) =>
          logger.error({ err: error, sn, command: command.id }, 'command not sent; resent on restart'),
        )
        .finally(() => this.handingOver.delete(command.id));
    }
    for (const effect of effects) {
      if (effect.type === 'reportDispenseResult') {
        const timer = this.ejectTimers.get(effect.params.commandId);
        if (timer) {
          clearTimeout(timer.timer);
          this.ejectTimers.delete(effect.params.commandId);
        }
        outputs.onDispenseResult(sn, effect.params);
      } else if (effect.type === 'reportCommandAck') outputs.onCommandAck?.(sn, effect.params);
      else if (effect.type === 'reportReturn') outputs.onReturn(sn, effect.params);
      else if (effect.type === 'reportMissing') outputs.onMissing(sn, effect.params);
    }
  }
}
