import { RETURN_CONDITIONS, SCHEDULE_STATUSES, SCHEDULE_TYPES } from '@powerbank/db';
import { z } from 'zod';
import { inputDate, queryInt } from '../../platform/query-input.ts';
import { OrderOutput } from './market.schemas.ts';

const uuid = z.string().uuid();
const minorUnits = z.number().int().min(0).max(1_000_000_000).describe('minor units (cents)');
const handoverType = z.enum(SCHEDULE_TYPES);

// ── QR handover ───────────────────────────────────────────────────────
export const IssueQrInput = z.object({ id: uuid, type: handoverType }).strict();
export const QrOutput = z.object({
  qr_id: z.string(),
  order_id: z.string(),
  type: handoverType,
  token: z.string().describe('what the QR code encodes: v1.<payload>.<Ed25519 signature>, base64url'),
  expires_at: z.date(),
  svg: z.string().describe('the QR code as an SVG document'),
  png_data_url: z.string().describe('the QR code as a data:image/png;base64 URL'),
});

export const PublicKeyOutput = z.object({
  alg: z.literal('EdDSA'),
  crv: z.literal('Ed25519'),
  kid: z.string(),
  public_key_pem: z.string(),
  jwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string() }),
});

export const InspectionItem = z
  .object({
    item_id: uuid,
    condition: z.enum(RETURN_CONDITIONS),
    damage_amount: minorUnits.default(0).describe('charged for this item (0 when ok)'),
    reason: z.string().min(3).max(500).optional().describe('needed with a damage_amount'),
    photo_ids: z.array(uuid).max(10).default([]).describe('uploads (POST /api/app/upload) of the scanner'),
  })
  .strict();
export type InspectionItem = z.infer<typeof InspectionItem>;

export const VerifyHandoverInput = z
  .object({
    id: uuid.describe('the order being handed over (a token of another order is refused)'),
    token: z.string().min(10).max(1000),
    items: z.array(InspectionItem).max(100).optional().describe('return only: every item of the order'),
  })
  .strict();
export type VerifyHandoverInput = z.infer<typeof VerifyHandoverInput>;

export const SettlementOutput = z.object({
  returned_at: z.date().nullable(),
  late_fee: z.number().int(),
  damage_charge: z.number().int(),
  captured_amount: z.number().int(),
  due_amount: z.number().int(),
  held_amount: z.number().int(),
  dispute_reason: z.string().nullable(),
  items: z.array(
    z.object({
      item_id: z.string(),
      condition: z.enum(RETURN_CONDITIONS).nullable(),
      damage_amount: z.number().int(),
      reason: z.string().nullable(),
      photo_ids: z.array(z.string()),
    }),
  ),
});
export type SettlementOutput = z.infer<typeof SettlementOutput>;

export const HandoverOutput = z.object({ order: OrderOutput, settlement: SettlementOutput });
export type HandoverOutput = z.infer<typeof HandoverOutput>;

// ── return charges and disputes ───────────────────────────────────────
export const DisputeInput = z.object({ id: uuid, reason: z.string().min(10).max(2000) }).strict();
export const ResolveDisputeInput = z
  .object({
    id: uuid,
    damage_charge: minorUnits.describe('what the customer pays for the damage: at most what was charged'),
    note: z.string().min(3).max(500),
  })
  .strict();
export const DisputesOutput = z.object({ results: z.array(HandoverOutput) });

// ── schedules ─────────────────────────────────────────────────────────
const minuteOfDay = z.number().int().min(0).max(1440);
const dayHours = z
  .tuple([minuteOfDay, minuteOfDay])
  .refine(([from, to]) => to > from, 'closes after it opens');
export const ScheduleSettingsInput = z
  .object({
    hours: z
      .partialRecord(z.enum(['0', '1', '2', '3', '4', '5', '6']), dayHours)
      .describe('per UTC weekday (0 = Sunday): [opens, closes) in minutes after midnight UTC'),
    slot_minutes: z.number().int().min(5).max(1440),
    slot_capacity: z.number().int().min(1).max(1000),
    max_reschedules: z.number().int().min(0).max(20),
    pickup_grace_minutes: z.number().int().min(0).max(10_080),
    reminder_minutes: z.number().int().min(0).max(1440),
  })
  .strict();
export type ScheduleSettingsInput = z.infer<typeof ScheduleSettingsInput>;
export const ScheduleSettingsOutput = ScheduleSettingsInput.extend({ seller_id: z.string() });

export const ProposeScheduleInput = z
  .object({ id: uuid, type: handoverType, slot: inputDate().describe('the slot start (a slot boundary)') })
  .strict();
export type ProposeScheduleInput = z.infer<typeof ProposeScheduleInput>;
export const ConfirmScheduleInput = z
  .object({
    id: uuid.describe('the schedule'),
    slot: inputDate().optional().describe('move it to this slot'),
    assigned_to: uuid.optional().describe('a staff user of the seller (or the seller)'),
  })
  .strict();
export type ConfirmScheduleInput = z.infer<typeof ConfirmScheduleInput>;
export const ScheduleOutput = z.object({
  id: z.string(),
  order_id: z.string(),
  type: handoverType,
  status: z.enum(SCHEDULE_STATUSES),
  scheduled_for: z.date(),
  actual_at: z.date().nullable(),
  assigned_to: z.string().nullable(),
  reschedule_count: z.number().int(),
});
export const SchedulesOutput = z.object({ results: z.array(ScheduleOutput) });
export const SellerSchedulesInput = z
  .object({ from: inputDate(), to: inputDate(), limit: queryInt(1, 500).default(200) })
  .strict();

export const StaffInput = z.object({ user_id: uuid }).strict();
export const StaffOutput = z.object({
  results: z.array(z.object({ user_id: z.string(), added_at: z.date() })),
});
