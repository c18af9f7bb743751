import type { DispenseResult } from '@powerbank/machines';
import type { NatsConnection } from '@powerbank/messaging';
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
 * Waiters for dispense outcomes by command id. A request may arrive again with
 * the same id (a retry): it waits for, or gets, the same single outcome. A
 * waiter gives up after `timeoutMs` (answered `undefined`): the station's own
 * eject timeout answers well before, so an outcome that never comes (an actor
 * that lost the command) must not keep the waiter, and its request, forever.
 */
export class DispenseWaiters {
  private readonly waiting = new Map<string, ((r: DispenseResult | undefined) => void)[]>();

  constructor(private readonly timeoutMs: number) {}

  /** How many requests are waiting. */
  get size(): number {
    let count = 0;
    for (const list of this.waiting.values()) count += list.length;
    return count;
  }

  wait(commandId: string): Promise<DispenseResult | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const rest = (this.waiting.get(commandId) ?? []).filter((waiter) => waiter !== done);
        if (rest.length) this.waiting.set(commandId, rest);
        else this.waiting.delete(commandId);
        resolve(undefined);
      }, this.timeoutMs);
      timer.unref();
      const done = (result: DispenseResult | undefined) => {
        clearTimeout(timer);
        resolve(result);
      };
      const list = this.waiting.get(commandId) ?? [];
      list.push(done);
      this.waiting.set(commandId, list);
    });
  }

  /** Hands the outcome to everyone waiting for it; false when nobody was. */
  settle(result: DispenseResult): boolean {
    const list = this.waiting.get(result.commandId);
    this.waiting.delete(result.commandId);
    for (const resolve of list ?? []) resolve(result);
    return (list?.length ?? 0) > 0;
  }
}

/** Answers `core.dispense` and `core.command` requests (queue group: one core instance answers each). */
export function serveCoreApi(options: {
  nats: NatsConnection;
  subjects: Subjects;
  host: StationHost;
  waiters: DispenseWaiters;
  logger: Logger;
  stationExists(sn: string): Promise<boolean>;
  publishReboot(sn: string, payload: Record<string, unknown>): Promise<void>;
}): { stop(): void } {
  const { nats, subjects, host, waiters, logger } = options;

  const dispense = nats.subscribe(subjects.coreDispense, {
    queue: 'station-core',
    callback: (_err, msg) => {
      const parsed = dispenseRequest.safeParse(decode(msg.data));
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
      const outcome = waiters.wait(commandId);
      host.send(stationSn, { type: 'DISPENSE_REQUESTED', commandId, rentalId }).catch((error: unknown) => {
        logger.error({ err: error, stationSn, commandId }, 'dispense request failed');
        waiters.settle({
          ok: false,
          commandId,
          rentalId,
          reason: 'busy',
          detail: 'station-core could not record the request',
        });
      });
      void outcome.then((result) => {
        // No answer then: the requester has stopped waiting long before; it asks again if it still cares.
        if (!result)
          logger.warn({ stationSn, rentalId, commandId }, 'dispense outcome never came; waiter dropped');
        else msg.respond(encode(toDispenseResponse(result)));
      });
    },
  });

  const command = nats.subscribe(subjects.coreCommand, {
    queue: 'station-core',
    callback: (_err, msg) => {
      void (async (): Promise<StationCommandResponse> => {
        const parsed = stationCommandRequest.safeParse(decode(msg.data));
        if (!parsed.success)
          return { ok: false, reason: 'invalid_request', detail: parsed.error.message.slice(0, 500) };
        const request = parsed.data;
        if (!(await options.stationExists(request.stationSn)))
          return { ok: false, reason: 'station_not_found' };
        const sn = request.stationSn;
        switch (request.command) {
          case 'lock-slot':
          case 'unlock-slot': {
            const actor = await host.actor(sn);
            if (!actor.context.slots.some((s) => s.slot === request.slot))
              return { ok: false, reason: 'unknown_slot' };
            await host.send(sn, {
              type: request.command === 'lock-slot' ? 'LOCK_SLOT' : 'UNLOCK_SLOT',
              slot: request.slot,
            });
            const slot = actor.context.slots.find((s) => s.slot === request.slot);
            const wanted =
              request.command === 'lock-slot' ? slot?.state === 'locked' : slot?.state !== 'locked';
            return wanted ? { ok: true } : { ok: false, reason: 'slot_busy' };
          }
          case 'sync':
            await host.send(sn, { type: 'SYNC_REQUESTED' });
            return { ok: true };
          case 'enter-maintenance':
            await host.send(sn, { type: 'ENTER_MAINTENANCE' });
            return { ok: true };
          case 'exit-maintenance':
            await host.send(sn, { type: 'EXIT_MAINTENANCE' });
            return { ok: true };
          case 'reboot':
            await options.publishReboot(sn, buildDown('reboot', {}));
            return { ok: true };
        }
      })()
        .then((response) => msg.respond(encode(response)))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'station command failed');
          msg.respond(encode({ ok: false, reason: 'invalid_request', detail: 'station-core error' }));
        });
    },
  });

  return {
    stop() {
      dispense.unsubscribe();
      command.unsubscribe();
    },
  };
}
