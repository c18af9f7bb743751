import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { CommandAck, DispenseRequest, DispenseResult } from '@powerbank/machines';
import {
  buildDown,
  type DispenseResponse,
  dispenseRequest,
  type StationCommandResponse,
  type Subjects,
  stationCommandRequest,
} from '@powerbank/protocol';
import type { Logger } from 'pino';
import type { StationHost } from './station-host.ts';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (data: Uint8Array): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
};

export function toDispenseResponse(result: DispenseResult): DispenseResponse {
  return result.ok
    ? {
        ok: true,
        commandId: result.commandId,
        slot: result.slot,
        powerBankSerial: result.powerBankSerial,
        ...(result.late ? { late: true } : {}),
      }
    : {
        ok: false,
        commandId: result.commandId,
        reason: result.reason,
        ...(result.detail ? { detail: result.detail } : {}),
      };
}

/**
 * Waiters for command outcomes (a dispense's, a station's `ack`) by command id. A
 * request may arrive again with the same id (a retry): it waits for, or gets, the
 * same single outcome. A waiter gives up after `timeoutMs` (answered `undefined`):
 * for a dispense the station's own eject timeout answers well before, so an
 * outcome that never comes (an actor that lost the command) must not keep the
 * waiter, and its request, forever.
 */
export class OutcomeWaiters<T extends { commandId: string }> {
  private readonly waiting = new Map<string, ((r: T | undefined) => void)[]>();

  constructor(private readonly timeoutMs: number) {}

  /** How many requests are waiting. */
  get size(): number {
    let count = 0;
    for (const list of this.waiting.values()) count += list.length;
    return count;
  }

  wait(commandId: string): Promise<T | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const rest = (this.waiting.get(commandId) ?? []).filter((waiter) => waiter !== done);
        if (rest.length) this.waiting.set(commandId, rest);
        else this.waiting.delete(commandId);
        resolve(undefined);
      }, this.timeoutMs);
      timer.unref();
      const done = (result: T | undefined) => {
        clearTimeout(timer);
        resolve(result);
      };
      const list = this.waiting.get(commandId) ?? [];
      list.push(done);
      this.waiting.set(commandId, list);
    });
  }

  /** Hands the outcome to everyone waiting for it; false when nobody was. */
  settle(result: T): boolean {
    const list = this.waiting.get(result.commandId);
    this.waiting.delete(result.commandId);
    for (const resolve of list ?? []) resolve(result);
    return (list?.length ?? 0) > 0;
  }
}

export class DispenseWaiters extends OutcomeWaiters<DispenseResult> {}

/**
 * Answers `core.dispense` and `core.command` requests (queue group: one core instance takes each).
 * A request for a station of a partition this instance does not serve goes on, with its reply
 * subject, to `core.partition.{n}.{kind}`, which only the partition's owner listens to (`serve`):
 * the owner answers the requester itself. With no owner at that moment (a partition changing
 * hands) the requester gets NATS's "no responders" at once and asks again.
 */
export function serveCoreApi(options: {
  nats: NatsConnection;
  /** The partition of a station, and whether this instance serves it now. */
  partitionOf(sn: string): number;
  serves(sn: string): boolean;
  subjects: Subjects;
  host: StationHost;
  waiters: DispenseWaiters;
  /** Acknowledgements of commands other than ejects; they give up after the eject timeout. */
  acks: OutcomeWaiters<CommandAck>;
  logger: Logger;
  stationExists(sn: string): Promise<boolean>;
  /** Hands a down message that no actor decides (sync, reboot) to the bridge. */
  publishCommand(sn: string, kind: 'sync' | 'reboot', payload: Record<string, unknown>): Promise<void>;
}): { serve(partition: number): void; unserve(partition: number): void; stop(): void } {
  const { nats, subjects, host, waiters, acks, logger } = options;

  /** Hands a request to the owner of its station's partition, unless this instance is the owner. */
  const forwarded = (msg: Msg, kind: 'dispense' | 'command', sn: string | undefined): boolean => {
    if (sn === undefined || options.serves(sn)) return false;
    nats.publish(subjects.partitionRequest(options.partitionOf(sn), kind), msg.data, {
      ...(msg.reply ? { reply: msg.reply } : {}),
    });
    return true;
  };

  /** A command's answer from the station's `ack`, or a timeout when none came. */
  const answerOf = (ack: CommandAck | undefined): StationCommandResponse => {
    if (!ack) return { ok: false, reason: 'timeout' };
    return ack.ok
      ? { ok: true }
      : { ok: false, reason: 'station_refused', ...(ack.error ? { detail: ack.error } : {}) };
  };

  /**
   * Asks the station's actor to eject (a rental's dispense, or an admin's named slot) and resolves
   * with the outcome the station's `eject-result` (or the eject timeout) decides; `undefined` when
   * none came in time. A repeated command id joins the first one's outcome.
   */
  const eject = (stationSn: string, request: DispenseRequest): Promise<DispenseResult | undefined> => {
    const outcome = waiters.wait(request.commandId);
    host.send(stationSn, { type: 'DISPENSE_REQUESTED', ...request }).catch((error: unknown) => {
      logger.error({ err: error, stationSn, commandId: request.commandId }, 'dispense request failed');
      waiters.settle({
        ok: false,
        ...request,
        reason: 'busy',
        detail: 'station-core could not record the request',
      });
    });
    return outcome;
  };

  const answerDispense = (msg: Msg, routed: boolean) => {
    const parsed = dispenseRequest.safeParse(decode(msg.data));
    if (!routed && forwarded(msg, 'dispense', parsed.data?.stationSn)) return;
    if (!parsed.success) {
      msg.respond(
        encode({
          ok: false,
          commandId: 'invalid-request',
          reason: 'invalid_request',
          detail: parsed.error.message.slice(0, 200),
        }),
      );
      return;
    }
    const { stationSn, rentalId, commandId } = parsed.data;
    void eject(stationSn, { commandId, rentalId }).then((result) => {
      // No answer then: the requester has stopped waiting long before; it asks again if it still cares.
      if (!result)
        logger.warn({ stationSn, rentalId, commandId }, 'dispense outcome never came; waiter dropped');
      else msg.respond(encode(toDispenseResponse(result)));
    });
  };

  const answerCommand = (msg: Msg, routed: boolean) => {
    const parsed = stationCommandRequest.safeParse(decode(msg.data));
    if (!routed && forwarded(msg, 'command', parsed.data?.stationSn)) return;
    void (async (): Promise<StationCommandResponse> => {
      if (!parsed.success)
        return { ok: false, reason: 'invalid_request', detail: parsed.error.message.slice(0, 500) };
      const request = parsed.data;
      if (!(await options.stationExists(request.stationSn)))
        return { ok: false, reason: 'station_not_found' };
      const sn = request.stationSn;
      // Maintenance is the cloud's own state, so it may be set on an offline station; anything the
      // station must carry out would sit in the outbox until it returns, unanswered: refused.
      const cloudOnly = request.command === 'enter-maintenance' || request.command === 'exit-maintenance';
      if (!cloudOnly && (await host.actor(sn)).state === 'offline')
        return { ok: false, reason: 'station_offline' };
      switch (request.command) {
        case 'eject-slot': {
          const { slot, commandId } = request;
          if (!(await host.actor(sn)).context.slots.some((s) => s.slot === slot))
            return { ok: false, reason: 'unknown_slot' };
          const result = await eject(sn, { commandId, slot });
          if (!result) return { ok: false, reason: 'timeout' };
          return result.ok
            ? { ok: true, slot: result.slot, powerBankSerial: result.powerBankSerial }
            : { ok: false, reason: result.reason, ...(result.detail ? { detail: result.detail } : {}) };
        }
        case 'lock-slot':
        case 'unlock-slot': {
          const actor = await host.actor(sn);
          const current = actor.context.slots.find((s) => s.slot === request.slot);
          if (!current) return { ok: false, reason: 'unknown_slot' };
          const lock = request.command === 'lock-slot';
          // Nothing to send: the slot is mid-eject (a lock would strand it) or not locked at all.
          if (lock && current.state === 'ejecting') return { ok: false, reason: 'slot_busy' };
          if (!lock && current.state !== 'locked') return { ok: true };
          const { commandId } = request;
          const ack = commandId ? acks.wait(commandId) : undefined;
          await host.send(sn, { type: lock ? 'LOCK_SLOT' : 'UNLOCK_SLOT', slot: request.slot, commandId });
          const slot = actor.context.slots.find((s) => s.slot === request.slot);
          if (lock !== (slot?.state === 'locked')) return { ok: false, reason: 'slot_busy' };
          return ack ? answerOf(await ack) : { ok: true };
        }
        case 'sync':
        case 'reboot': {
          // Sent as they are, not through the actor: the answer is the station's `ack` (a sync's
          // snapshot follows as its `hello`, which the actor reconciles).
          const { commandId } = request;
          const ack = commandId ? acks.wait(commandId) : undefined;
          const payload =
            request.command === 'sync'
              ? buildDown('sync', commandId ? { msgId: commandId } : {})
              : buildDown('reboot', commandId ? { msgId: commandId } : {});
          await options.publishCommand(sn, request.command, payload);
          return ack ? answerOf(await ack) : { ok: true };
        }
        case 'enter-maintenance':
          await host.send(sn, { type: 'ENTER_MAINTENANCE' });
          return { ok: true };
        case 'exit-maintenance':
          await host.send(sn, { type: 'EXIT_MAINTENANCE' });
          return { ok: true };
      }
    })()
      .then((response) => msg.respond(encode(response)))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'station command failed');
        msg.respond(encode({ ok: false, reason: 'invalid_request', detail: 'station-core error' }));
      });
  };

  const dispense = nats.subscribe(subjects.coreDispense, {
    queue: 'station-core',
    callback: (_err, msg) => answerDispense(msg, false),
  });
  const command = nats.subscribe(subjects.coreCommand, {
    queue: 'station-core',
    callback: (_err, msg) => answerCommand(msg, false),
  });
  const partitions = new Map<number, Subscription[]>();

  return {
    serve(partition) {
      if (partitions.has(partition)) return;
      partitions.set(partition, [
        nats.subscribe(subjects.partitionRequest(partition, 'dispense'), {
          callback: (_err, msg) => answerDispense(msg, true),
        }),
        nats.subscribe(subjects.partitionRequest(partition, 'command'), {
          callback: (_err, msg) => answerCommand(msg, true),
        }),
      ]);
    },
    unserve(partition) {
      for (const sub of partitions.get(partition) ?? []) sub.unsubscribe();
      partitions.delete(partition);
    },
    stop() {
      dispense.unsubscribe();
      command.unsubscribe();
      for (const partition of [...partitions.keys()]) this.unserve(partition);
    },
  };
}
