import { z } from 'zod';

/** Ids travel in topics, subjects and JetStream headers, so they use URL- and subject-safe characters only. */
export const messageId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** A power bank's printed serial number. */
export const powerBankSerial = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** Rental ids come from the api (uuids today); kept loose so the protocol does not fix their format. */
export const rentalId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/**
 * Free text from a station (firmware, fault codes, reasons): any script, but no control characters
 * (C0, DEL, C1) and no lone UTF-16 surrogates. Postgres cannot store `\u0000` in text or jsonb nor
 * a lone surrogate in jsonb, so one such string used to fail every write it was batched with.
 */
export const printableText = (max: number, min = 1) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((text) => !/[\p{Cc}\p{Cs}]/u.test(text), 'control characters are not allowed');

export const MAX_SLOTS = 64;
/** Slots are numbered from 1, as printed on the station. */
export const slotIndex = z.number().int().min(1).max(MAX_SLOTS);
/** State of charge in whole percent. */
export const batteryPercent = z.number().int().min(0).max(100);

export const powerBankInSlot = z.object({ serial: powerBankSerial, battery: batteryPercent }).strict();
export type PowerBankInSlot = z.infer<typeof powerBankInSlot>;

/** Fields every up message carries: de-duplication id, station-side order and time, schema version. */
export const envelope = z.object({
  v: z.literal(1),
  /** Unique per message; the bridge uses it as the JetStream de-duplication id. */
  msgId: messageId,
  /**
   * Monotonic over the station's life, across reconnects and reboots: firmware
   * that cannot keep a counter in flash seeds it at boot from its clock in
   * microseconds. A number not above the last one seen is stale.
   */
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** Station clock, epoch milliseconds. */
  ts: z.number().int().positive(),
});
export type Envelope = z.infer<typeof envelope>;

/** Fields every down message carries; for commands `msgId` is the command id. */
export const downEnvelope = z.object({
  v: z.literal(1),
  msgId: messageId,
  /** Cloud clock, epoch milliseconds. */
  ts: z.number().int().positive(),
});
export type DownEnvelope = z.infer<typeof downEnvelope>;
