import { z } from 'zod';
import {
  batteryPercent,
  envelope,
  MAX_SLOTS,
  messageId,
  powerBankInSlot,
  powerBankSerial,
  printableText,
  slotIndex,
} from './envelope.ts';

/** One slot of a `hello` snapshot. A locked or faulty slot may still hold a power bank. */
export const slotSnapshot = z.discriminatedUnion('state', [
  z.object({ slot: slotIndex, state: z.literal('empty') }).strict(),
  z.object({ slot: slotIndex, state: z.literal('occupied'), powerBank: powerBankInSlot }).strict(),
  z
    .object({
      slot: slotIndex,
      state: z.literal('fault'),
      error: printableText(64).optional(),
      powerBank: powerBankInSlot.optional(),
    })
    .strict(),
  z.object({ slot: slotIndex, state: z.literal('locked'), powerBank: powerBankInSlot.optional() }).strict(),
]);
export type SlotSnapshot = z.infer<typeof slotSnapshot>;

/** Sent on every connect and in answer to `sync`: the full truth about the station. */
export const helloMessage = envelope
  .extend({
    kind: z.literal('hello'),
    firmware: printableText(64),
    slotCount: z.number().int().min(1).max(MAX_SLOTS),
    /** Why the snapshot was sent; informative only, reconciliation is the same. */
    reason: z.enum(['boot', 'reconnect', 'sync']).optional(),
    slots: z.array(slotSnapshot).max(MAX_SLOTS),
  })
  .strict()
  .superRefine((hello, ctx) => {
    const seen = new Set<number>();
    for (const [i, s] of hello.slots.entries()) {
      if (s.slot > hello.slotCount) {
        ctx.addIssue({ code: 'custom', path: ['slots', i, 'slot'], message: 'slot beyond slotCount' });
      }
      if (seen.has(s.slot)) {
        ctx.addIssue({ code: 'custom', path: ['slots', i, 'slot'], message: 'slot listed twice' });
      }
      seen.add(s.slot);
    }
    if (hello.slots.length !== hello.slotCount) {
      ctx.addIssue({ code: 'custom', path: ['slots'], message: 'snapshot must list every slot' });
    }
  });
export type HelloMessage = z.infer<typeof helloMessage>;

export const heartbeatMessage = envelope
  .extend({
    kind: z.literal('heartbeat'),
    uptimeS: z.number().int().nonnegative(),
    rssi: z.number().int().min(-150).max(0).optional(),
    /** Current charge of the occupied slots, so the cloud sees charging power banks become ready. */
    batteries: z
      .array(z.object({ slot: slotIndex, battery: batteryPercent }).strict())
      .max(MAX_SLOTS)
      .optional(),
  })
  .strict();
export type HeartbeatMessage = z.infer<typeof heartbeatMessage>;

/** A change in one slot that nobody commanded: a return, an unexpected removal, a fault. */
export const slotMessage = z.discriminatedUnion('event', [
  envelope
    .extend({
      kind: z.literal('slot'),
      slot: slotIndex,
      event: z.literal('inserted'),
      powerBank: powerBankInSlot,
    })
    .strict(),
  envelope
    .extend({
      kind: z.literal('slot'),
      slot: slotIndex,
      event: z.literal('removed'),
      powerBankSerial: powerBankSerial.optional(),
    })
    .strict(),
  envelope
    .extend({
      kind: z.literal('slot'),
      slot: slotIndex,
      event: z.literal('fault'),
      error: printableText(64),
    })
    .strict(),
]);
export type SlotMessage = z.infer<typeof slotMessage>;
export type SlotEvent = SlotMessage['event'];

export const ejectErrorCode = z.enum(['jammed', 'empty', 'busy', 'timeout', 'locked', 'fault']);
export type EjectErrorCode = z.infer<typeof ejectErrorCode>;

/** The station's word on an `eject`: the only thing that decides a dispense. */
export const ejectResultMessage = z.discriminatedUnion('ok', [
  envelope
    .extend({
      kind: z.literal('eject-result'),
      commandId: messageId,
      slot: slotIndex,
      ok: z.literal(true),
      powerBankSerial,
    })
    .strict(),
  envelope
    .extend({
      kind: z.literal('eject-result'),
      commandId: messageId,
      slot: slotIndex,
      ok: z.literal(false),
      error: ejectErrorCode,
    })
    .strict(),
]);
export type EjectResultMessage = z.infer<typeof ejectResultMessage>;

/** The commands a station acknowledges with `ack` (an `eject` has its own `eject-result`). */
export const ackedCommandKind = z.enum(['sync', 'config', 'lock-slot', 'unlock-slot', 'reboot']);

/**
 * The station's word on a command other than `eject`, by the command's msgId: carried out (`ok`),
 * or refused with its error code. A `reboot` is acknowledged before the station goes down.
 */
export const ackMessage = envelope
  .extend({
    kind: z.literal('ack'),
    commandId: messageId,
    command: ackedCommandKind,
    ok: z.boolean(),
    error: printableText(64).optional(),
  })
  .strict();
export type AckMessage = z.infer<typeof ackMessage>;

/**
 * Connection state, retained. `offline` is the MQTT last will, set at connect;
 * `online` is published right after connect and replaces it. Both carry the
 * seq reserved at that connect, so a late will of an older connection is stale.
 */
export const statusMessage = envelope
  .extend({ kind: z.literal('status'), state: z.enum(['online', 'offline']) })
  .strict();
export type StatusMessage = z.infer<typeof statusMessage>;

/** Up messages the bridge relays, by topic kind. */
export const upMessageSchemas = {
  hello: helloMessage,
  heartbeat: heartbeatMessage,
  slot: slotMessage,
  'eject-result': ejectResultMessage,
  ack: ackMessage,
  status: statusMessage,
} as const;
export type UpKind = keyof typeof upMessageSchemas;
export type UpMessageOf<K extends UpKind> = z.infer<(typeof upMessageSchemas)[K]>;
export type UpMessage = UpMessageOf<UpKind>;
export const upKinds = Object.keys(upMessageSchemas) as UpKind[];
