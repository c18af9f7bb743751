import { SLOT_STATUSES, STATION_STATUSES } from '@powerbank/db';
import { stationCommandFailureReason, stationSerial } from '@powerbank/protocol';
import { z } from 'zod';

/** What an operator may ask of a station; each maps to one `core.command` of station-core. */
export const ADMIN_STATION_COMMANDS = [
  'eject',
  'lock',
  'unlock',
  'sync',
  'reboot',
  'maintenance-on',
  'maintenance-off',
] as const;
export type AdminStationCommand = (typeof ADMIN_STATION_COMMANDS)[number];

/** The commands that act on one slot, and so need `slot`. */
export const SLOT_COMMANDS: ReadonlySet<AdminStationCommand> = new Set(['eject', 'lock', 'unlock']);

export const StationCommandInput = z
  .object({
    stationSn: stationSerial,
    command: z.enum(ADMIN_STATION_COMMANDS),
    slot: z.number().int().min(1).max(64).optional(),
    /** The same key again (a double click, a retry) answers the first outcome and acts once. */
    idempotencyKey: z.string().trim().min(8).max(128),
    reason: z.string().trim().min(3).max(255).optional(),
  })
  .strict()
  .refine((input) => SLOT_COMMANDS.has(input.command) === (input.slot !== undefined), {
    path: ['slot'],
    message: 'eject, lock and unlock need a slot; the other commands take none',
  });
export type StationCommandInput = z.infer<typeof StationCommandInput>;

/** The station's acknowledgement as station-core relayed it, or why there was none. */
export const StationCommandOutput = z.object({
  commandId: z.string(),
  stationSn: z.string(),
  command: z.enum(ADMIN_STATION_COMMANDS),
  slot: z.number().int().nullable(),
  ok: z.boolean(),
  /** For an eject the station confirmed: the power bank it released. */
  powerBankSerial: z.string().nullable(),
  /** Why the station (or station-core for it) did not carry the command out. */
  reason: stationCommandFailureReason.nullable(),
  detail: z.string().nullable(),
});
export type StationCommandOutput = z.infer<typeof StationCommandOutput>;

export const StationSlotsInput = z.object({ stationSn: stationSerial }).strict();
export type StationSlotsInput = z.infer<typeof StationSlotsInput>;

export const StationSlotsOutput = z.object({
  stationSn: z.string(),
  status: z.enum(STATION_STATUSES),
  lastHeartbeatAt: z.date().nullable(),
  slots: z.array(
    z.object({
      slot: z.number().int(),
      status: z.enum(SLOT_STATUSES),
      powerBankSerial: z.string().nullable(),
      batteryLevel: z.number().int().nullable(),
      updatedAt: z.date(),
    }),
  ),
});
export type StationSlotsOutput = z.infer<typeof StationSlotsOutput>;
