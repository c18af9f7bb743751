import { POWER_BANK_STATUSES } from '@powerbank/db';
import { powerBankSerial, stationSerial } from '@powerbank/protocol';
import { z } from 'zod';

export const RegisterPowerBankInput = z
  .object({
    serial: powerBankSerial,
    model: z.string().trim().min(1).max(60).default('PB-5000'),
    capacityMah: z.number().int().min(100).max(100_000).default(5000),
    /** Minor units charged when it counts as lost or bought. */
    price: z.number().int().min(0).max(10_000_000).default(3000),
  })
  .strict();
export type RegisterPowerBankInput = z.infer<typeof RegisterPowerBankInput>;

/** Sent to a station: in transit until the station reports it in a slot. */
export const MovePowerBankInput = z
  .object({
    serial: powerBankSerial,
    stationSn: stationSerial,
    reason: z.string().trim().min(3).max(255).optional(),
  })
  .strict();
export type MovePowerBankInput = z.infer<typeof MovePowerBankInput>;

export const POWER_BANK_MARKS = ['lost', 'found', 'retired'] as const;
export const MarkPowerBankInput = z
  .object({
    serial: powerBankSerial,
    mark: z.enum(POWER_BANK_MARKS),
    reason: z.string().trim().min(3).max(255),
  })
  .strict();
export type MarkPowerBankInput = z.infer<typeof MarkPowerBankInput>;

export const PowerBankOutput = z.object({
  serial: z.string(),
  status: z.enum(POWER_BANK_STATUSES),
  model: z.string(),
  capacityMah: z.number().int(),
  price: z.number().int(),
  stationSn: z.string().nullable(),
  slot: z.number().int().nullable(),
  rentalId: z.string().nullable(),
});
export type PowerBankOutput = z.infer<typeof PowerBankOutput>;
