import type { EntityManager } from '@mikro-orm/postgresql';
import { type OpeningHours, SellerScheduleSettings } from '@powerbank/db';

export interface ScheduleSettings {
  hours: OpeningHours;
  slotMinutes: number;
  slotCapacity: number;
  maxReschedules: number;
  pickupGraceMinutes: number;
  reminderMinutes: number;
}

const NINE_TO_SIX: [number, number] = [9 * 60, 18 * 60];
/** A seller who set nothing: every day 09:00–18:00 UTC, 30-minute slots of two handovers. */
export const SCHEDULE_DEFAULTS: ScheduleSettings = {
  hours: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, NINE_TO_SIX])),
  slotMinutes: 30,
  slotCapacity: 2,
  maxReschedules: 2,
  pickupGraceMinutes: 60,
  reminderMinutes: 60,
};

const settingsOf = (row: SellerScheduleSettings): ScheduleSettings => ({
  hours: row.hours,
  slotMinutes: row.slotMinutes,
  slotCapacity: row.slotCapacity,
  maxReschedules: row.maxReschedules,
  pickupGraceMinutes: row.pickupGraceMinutes,
  reminderMinutes: row.reminderMinutes,
});

/** Each seller's settings (the defaults for those who set none), in one query. */
export async function scheduleSettings(
  em: EntityManager,
  sellerIds: string[],
): Promise<Map<string, ScheduleSettings>> {
  const rows = await em.find(SellerScheduleSettings, { seller: { $in: [...new Set(sellerIds)] } });
  const map = new Map(sellerIds.map((id) => [id, SCHEDULE_DEFAULTS]));
  for (const row of rows) map.set(row.seller.id, settingsOf(row));
  return map;
}

export async function sellerScheduleSettings(em: EntityManager, sellerId: string): Promise<ScheduleSettings> {
  return (await scheduleSettings(em, [sellerId])).get(sellerId) ?? SCHEDULE_DEFAULTS;
}

/**
 * Why a slot cannot be booked with these settings, or null when it can: it starts on a slot
 * boundary (from midnight UTC), in the future, and the whole slot lies within that weekday's
 * opening hours.
 */
export function slotProblem(settings: ScheduleSettings, slot: Date, nowMs: number): string | null {
  const slotMs = settings.slotMinutes * 60_000;
  const midnight = Date.UTC(slot.getUTCFullYear(), slot.getUTCMonth(), slot.getUTCDate());
  const minute = (slot.getTime() - midnight) / 60_000;
  if ((slot.getTime() - midnight) % slotMs !== 0) return `slots start every ${settings.slotMinutes} minutes`;
  if (slot.getTime() <= nowMs) return 'the slot has passed';
  const day = settings.hours[String(slot.getUTCDay()) as keyof OpeningHours];
  if (!day || minute < day[0] || minute + settings.slotMinutes > day[1]) return 'the seller is closed then';
  return null;
}
