import { z } from 'zod';
import { messageId, powerBankSerial, rentalId, slotIndex } from './envelope.ts';
import { SERIAL_PATTERN } from './topics.ts';

/** Station serial numbers as they appear in requests; same rule as in topics. */
export const stationSerial = z.string().regex(SERIAL_PATTERN);

/**
 * `core.dispense` request: release one power bank at a station for a rental.
 * The command id makes it idempotent: asking again with the same id never
 * ejects a second power bank, it returns the first outcome (or waits for it).
 */
export const dispenseRequest = z
  .object({ stationSn: stationSerial, rentalId, commandId: messageId })
  .strict();
export type DispenseRequest = z.infer<typeof dispenseRequest>;

export const dispenseFailureReason = z.enum([
  'no_power_bank',
  'station_offline',
  'station_maintenance',
  'eject_failed',
  'timeout',
  'busy',
  'invalid_request',
]);
export type DispenseFailureReason = z.infer<typeof dispenseFailureReason>;

export const dispenseResponse = z.discriminatedUnion('ok', [
  z
    .object({
      ok: z.literal(true),
      commandId: messageId,
      slot: slotIndex,
      powerBankSerial,
      /** The station confirmed after the timeout had already answered `failed`. */
      late: z.boolean().optional(),
    })
    .strict(),
  z
    .object({
      ok: z.literal(false),
      commandId: messageId,
      reason: dispenseFailureReason,
      /** The station's error code when reason is `eject_failed`. */
      detail: z.string().max(200).optional(),
    })
    .strict(),
]);
export type DispenseResponse = z.infer<typeof dispenseResponse>;

/**
 * `core.command` request: admin commands for one station. `eject-slot` is
 * answered with the station's own `eject-result` (or the eject timeout); its
 * command id makes it idempotent like a dispense: the same id never ejects twice.
 */
export const stationCommandRequest = z.discriminatedUnion('command', [
  z
    .object({
      command: z.literal('eject-slot'),
      stationSn: stationSerial,
      slot: slotIndex,
      commandId: messageId,
    })
    .strict(),
  // With a `commandId` (it becomes the down message's msgId) these wait for the station's `ack`;
  // without one they answer once the command is handed on.
  z
    .object({
      command: z.literal('lock-slot'),
      stationSn: stationSerial,
      slot: slotIndex,
      commandId: messageId.optional(),
    })
    .strict(),
  z
    .object({
      command: z.literal('unlock-slot'),
      stationSn: stationSerial,
      slot: slotIndex,
      commandId: messageId.optional(),
    })
    .strict(),
  z
    .object({ command: z.literal('sync'), stationSn: stationSerial, commandId: messageId.optional() })
    .strict(),
  z
    .object({ command: z.literal('reboot'), stationSn: stationSerial, commandId: messageId.optional() })
    .strict(),
  z.object({ command: z.literal('enter-maintenance'), stationSn: stationSerial }).strict(),
  z.object({ command: z.literal('exit-maintenance'), stationSn: stationSerial }).strict(),
]);
export type StationCommandRequest = z.infer<typeof stationCommandRequest>;
export type StationCommandName = StationCommandRequest['command'];

export const stationCommandFailureReason = z.enum([
  'station_not_found',
  'invalid_request',
  'slot_busy',
  'unknown_slot',
  /** The station is offline: a command would only wait in the outbox, so it is refused. */
  'station_offline',
  /** The station answered the command's `ack` with an error (in `detail`). */
  'station_refused',
  ...dispenseFailureReason.options.filter((r) => r !== 'invalid_request' && r !== 'station_offline'),
]);
export type StationCommandFailureReason = z.infer<typeof stationCommandFailureReason>;

export const stationCommandResponse = z.discriminatedUnion('ok', [
  z
    .object({
      ok: z.literal(true),
      /** For `eject-slot`: what the station reported it released. */
      slot: slotIndex.optional(),
      powerBankSerial: powerBankSerial.optional(),
    })
    .strict(),
  z
    .object({
      ok: z.literal(false),
      reason: stationCommandFailureReason,
      detail: z.string().max(500).optional(),
    })
    .strict(),
]);
export type StationCommandResponse = z.infer<typeof stationCommandResponse>;

/** `rental.evt.settled`: a return closed a rental (published after the settlement committed). */
export const rentalSettledEvent = z
  .object({
    rentalId: z.string().uuid(),
    userId: z.string().uuid(),
    /** `settled`; a rental whose charge could not be taken is settled too, with `dueAmount` > 0. */
    status: z.string(),
    currency: z.string(),
    /** Minor units charged at the return (overage, late fee), beyond what was paid at the start. */
    settledAmount: z.number().int(),
    dueAmount: z.number().int(),
  })
  .strict();
export type RentalSettledEvent = z.infer<typeof rentalSettledEvent>;

/**
 * `core.evt.station`: a station's state after a committed change of its status or slots (heartbeats
 * included: `lastHeartbeatAt` moved). Whole slots, not a diff: a follower that missed one is right again
 * with the next.
 */
export const stationChangedEvent = z
  .object({
    sn: z.string(),
    status: z.enum(['online', 'offline', 'maintenance']),
    /** Epoch ms of the last message from the station. */
    lastHeartbeatAt: z.number().int().nullable(),
    slots: z.array(
      z
        .object({
          slot: z.number().int(),
          state: z.enum(['empty', 'charging', 'ready', 'ejecting', 'faulty', 'locked']),
          powerBankSerial: z.string().nullable(),
          battery: z.number().int().nullable(),
        })
        .strict(),
    ),
  })
  .strict();
export type StationChangedEvent = z.infer<typeof stationChangedEvent>;
