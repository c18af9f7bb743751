import { z } from 'zod';
import { downEnvelope, messageId, printableText, rentalId, slotIndex } from './envelope.ts';

/**
 * Release the power bank in `slot` for a rental (an admin's eject has no rental);
 * answered by `eject-result` with the same command id.
 */
export const ejectCommand = downEnvelope
  .extend({ kind: z.literal('eject'), commandId: messageId, slot: slotIndex, rentalId: rentalId.optional() })
  .strict()
  .refine((m) => m.msgId === m.commandId, { path: ['msgId'], message: 'msgId must equal commandId' });
export type EjectCommand = z.infer<typeof ejectCommand>;

/** Ask for a full snapshot; answered by `hello` with reason `sync`. */
export const syncCommand = downEnvelope.extend({ kind: z.literal('sync') }).strict();
export type SyncCommand = z.infer<typeof syncCommand>;

export const configCommand = downEnvelope
  .extend({
    kind: z.literal('config'),
    heartbeatIntervalS: z.number().int().min(5).max(3600).optional(),
    /** Percent at which a charging power bank counts as ready; stations may light an LED from it. */
    readyBatteryPercent: z.number().int().min(0).max(100).optional(),
  })
  .strict()
  .refine((m) => m.heartbeatIntervalS !== undefined || m.readyBatteryPercent !== undefined, {
    message: 'config must change at least one setting',
  });
export type ConfigCommand = z.infer<typeof configCommand>;

export const lockSlotCommand = downEnvelope
  .extend({ kind: z.literal('lock-slot'), slot: slotIndex, reason: printableText(200, 0).optional() })
  .strict();
export type LockSlotCommand = z.infer<typeof lockSlotCommand>;

export const unlockSlotCommand = downEnvelope
  .extend({ kind: z.literal('unlock-slot'), slot: slotIndex })
  .strict();
export type UnlockSlotCommand = z.infer<typeof unlockSlotCommand>;

export const rebootCommand = downEnvelope
  .extend({ kind: z.literal('reboot'), delayS: z.number().int().min(0).max(3600).optional() })
  .strict();
export type RebootCommand = z.infer<typeof rebootCommand>;

/** Down messages, by topic kind. */
export const downMessageSchemas = {
  eject: ejectCommand,
  sync: syncCommand,
  config: configCommand,
  'lock-slot': lockSlotCommand,
  'unlock-slot': unlockSlotCommand,
  reboot: rebootCommand,
} as const;
export type DownKind = keyof typeof downMessageSchemas;
export type DownMessageOf<K extends DownKind> = z.infer<(typeof downMessageSchemas)[K]>;
export type DownMessage = DownMessageOf<DownKind>;
export const downKinds = Object.keys(downMessageSchemas) as DownKind[];
