import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AdminActionLog, advisoryXactLock, StationCommand } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import {
  type StationCommandRequest,
  type StationCommandResponse,
  stationCommandResponse,
  subjects,
} from '@powerbank/protocol';
import type { Context } from '../../trpc/context.ts';
import { type AdminCaller, adminMutation } from '../admin-auth/admin-action.ts';
import type {
  AdminStationCommand,
  StationCommandInput,
  StationCommandOutput,
} from './station-commands.schemas.ts';

/**
 * The command id of an admin's request: scoped to the admin and the station like a client key
 * (platform/client-key.ts), but made of topic-safe characters only, because station-core sends
 * it to the station as the eject's command id. The same key from the same admin for the same
 * station is the same command: station-core never ejects one command id twice.
 */
export function adminCommandId(adminId: string, stationSn: string, key: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([adminId, stationSn, key]))
    .digest('base64url');
  return `adm-${digest}`;
}

function coreRequest(input: StationCommandInput, commandId: string): StationCommandRequest {
  const stationSn = input.stationSn;
  const slot = input.slot ?? 0;
  switch (input.command) {
    case 'eject':
      return { command: 'eject-slot', stationSn, slot, commandId };
    case 'lock':
      return { command: 'lock-slot', stationSn, slot, commandId };
    case 'unlock':
      return { command: 'unlock-slot', stationSn, slot, commandId };
    case 'sync':
      return { command: 'sync', stationSn, commandId };
    case 'reboot':
      return { command: 'reboot', stationSn, commandId };
    case 'maintenance-on':
      return { command: 'enter-maintenance', stationSn };
    case 'maintenance-off':
      return { command: 'exit-maintenance', stationSn };
  }
}

/** Asks station-core and waits for the station's answer; a lost answer is reported as a timeout. */
async function askCore(ctx: Context, request: StationCommandRequest): Promise<StationCommandResponse> {
  try {
    const reply = await ctx.deps.nats.request(
      subjects(ctx.deps.env.NATS_PREFIX).coreCommand,
      new TextEncoder().encode(JSON.stringify(request)),
      // An eject waits for the station like a rental's dispense does.
      { timeout: ctx.deps.env.RENTAL_DISPENSE_TIMEOUT_MS },
    );
    const parsed = stationCommandResponse.safeParse(reply.json());
    return parsed.success
      ? parsed.data
      : { ok: false, reason: 'invalid_request', detail: 'station-core answered in an unknown shape' };
  } catch (error) {
    // Nobody listening: the command cannot have reached a station.
    if (error instanceof Error && /no responders/i.test(error.message))
      throw new DomainError('SERVICE_UNAVAILABLE', 'station-core is not reachable; try again shortly');
    return { ok: false, reason: 'timeout', detail: 'no answer from station-core in time' };
  }
}

/** Refusals that mean the request itself cannot be carried out: an error, and nothing is logged. */
function refusal(response: StationCommandResponse, stationSn: string): DomainError | undefined {
  if (response.ok) return undefined;
  switch (response.reason) {
    case 'station_not_found':
      return new DomainError('NOT_FOUND', `no station ${stationSn}`);
    case 'station_offline':
      return new DomainError('STATION_OFFLINE', `station ${stationSn} is offline: it cannot take commands`);
    case 'unknown_slot':
      return new DomainError('VALIDATION_FAILED', `station ${stationSn} has no such slot`);
    case 'invalid_request':
      return new DomainError('VALIDATION_FAILED', response.detail ?? 'station-core refused the request');
    default:
      return undefined;
  }
}

async function earlierAnswer(
  tx: EntityManager,
  commandId: string,
  input: StationCommandInput,
): Promise<StationCommandOutput | undefined> {
  // Two requests with one key (a double click) wait for each other here; the second then finds the first's row.
  await advisoryXactLock(tx, `station-command:${commandId}`);
  const earlier = await tx.findOne(AdminActionLog, { targetType: 'station_command', targetId: commandId });
  if (!earlier) return undefined;
  const answer = (earlier.after as { answer: StationCommandOutput }).answer;
  if (answer.command !== input.command || answer.slot !== (input.slot ?? null))
    throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for another command');
  return answer;
}

const LOGGED_BY_CORE: ReadonlySet<AdminStationCommand> = new Set(['eject', 'lock', 'unlock']);

const CORE_KIND: Record<AdminStationCommand, string> = {
  eject: 'eject',
  lock: 'lock-slot',
  unlock: 'unlock-slot',
  sync: 'sync',
  reboot: 'reboot',
  'maintenance-on': 'enter-maintenance',
  'maintenance-off': 'exit-maintenance',
};

/**
 * Runs one admin command through station-core and answers with the station's acknowledgement.
 * The AdminActionLog row (and, for commands station-core does not log itself, the command log
 * row) commits in the same transaction that answers; a refused request leaves neither.
 */
export function runStationCommand(
  ctx: Context & { admin: AdminCaller },
  input: StationCommandInput,
): Promise<StationCommandOutput> {
  const commandId = adminCommandId(ctx.admin.id, input.stationSn, input.idempotencyKey);
  return adminMutation(ctx, `station.${input.command}`, async (tx) => {
    const earlier = await earlierAnswer(tx, commandId, input);
    // A retry: the first answer again, nothing sent, no second log row.
    if (earlier)
      return { result: earlier, targetType: 'station_command', targetId: commandId, unchanged: true };
    const response = await askCore(ctx, coreRequest(input, commandId));
    const refused = refusal(response, input.stationSn);
    if (refused) throw refused;
    const answer: StationCommandOutput = {
      commandId,
      stationSn: input.stationSn,
      command: input.command,
      slot: input.slot ?? null,
      ok: response.ok,
      powerBankSerial: (response.ok && response.powerBankSerial) || null,
      reason: response.ok ? null : response.reason,
      detail: (!response.ok && response.detail) || null,
    };
    // station-core logs what its actors send (eject, lock, unlock) under this same command id,
    // settled by the station's answer; the rest is logged here.
    if (!LOGGED_BY_CORE.has(input.command)) {
      const now = new Date();
      tx.create(StationCommand, {
        id: commandId,
        serialNumber: input.stationSn,
        kind: CORE_KIND[input.command],
        slotIndex: input.slot ?? null,
        payload: { ...coreRequest(input, commandId), by: 'admin' },
        status: response.ok ? 'succeeded' : response.reason === 'timeout' ? 'timed_out' : 'failed',
        result: { ...response },
        sentAt: now,
        resolvedAt: now,
      });
    }
    return {
      result: answer,
      targetType: 'station_command',
      targetId: commandId,
      after: { answer },
      reason: input.reason ?? null,
    };
  });
}
