import { ISSUE_STATUSES, MEDIA_TYPES, SLOT_STATUSES, STATION_STATUSES } from '@powerbank/db';
import { z } from 'zod';
import { PageInput, paginated } from '../../platform/pagination.ts';
import { queryBoolean, queryInt, queryNumber } from '../../platform/query-input.ts';

/** Statuses the app may filter by; decommissioned stations are never shown. */
export const VISIBLE_STATION_STATUSES = ['online', 'offline', 'maintenance'] as const;

const SerialNumber = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

export const StationSummary = z.object({
  sn: z.string(),
  name: z.string(),
  address: z.string(),
  city: z.string().nullable(),
  latitude: z.number(),
  longitude: z.number(),
  status: z.enum(STATION_STATUSES),
  slotCount: z.number().int(),
  /** Ready power banks charged at least the rental minimum (AppConfig `rental_min_battery_pct`). */
  availablePowerBanks: z.number().int(),
  /** Empty slots a power bank can be returned to. */
  freeSlots: z.number().int(),
  imageUrl: z.string().nullable(),
  amenityCodes: z.array(z.string()),
  lastHeartbeatAt: z.date().nullable(),
});
export type StationSummary = z.infer<typeof StationSummary>;

export const StationListInput = PageInput.extend({
  status: z.enum(VISIBLE_STATION_STATUSES).optional(),
  city: z.string().trim().min(1).max(80).optional(),
  /** Only stations that can rent now: online with at least one available power bank. */
  available_only: queryBoolean().optional(),
  /** Part of the station's name, case-insensitive. */
  search: z.string().trim().min(1).max(100).optional(),
}).strict();
export type StationListInput = z.infer<typeof StationListInput>;
export const StationListOutput = paginated(StationSummary);
export type StationListOutput = z.infer<typeof StationListOutput>;

export const NearbyInput = PageInput.extend({
  lat: queryNumber(-90, 90),
  lng: queryNumber(-180, 180),
  /** Meters. */
  radius: queryInt(1, 50_000).default(2_000),
  available_only: queryBoolean().optional(),
}).strict();
export type NearbyInput = z.infer<typeof NearbyInput>;
export const NearbyStation = StationSummary.extend({ distanceM: z.number().int() });
export type NearbyStation = z.infer<typeof NearbyStation>;
export const NearbyOutput = paginated(NearbyStation);
export type NearbyOutput = z.infer<typeof NearbyOutput>;

export const StationBySnInput = z.object({ sn: SerialNumber }).strict();
export type StationBySnInput = z.infer<typeof StationBySnInput>;
export const StationDetail = StationSummary.omit({ imageUrl: true, amenityCodes: true }).extend({
  openingHours: z.string().nullable(),
  description: z.string().nullable(),
  slots: z.array(
    z.object({
      /** 1-based, as printed on the station. */
      slotIndex: z.number().int(),
      status: z.enum(SLOT_STATUSES),
      batteryLevel: z.number().int().nullable(),
      powerBank: z.object({ model: z.string(), capacityMah: z.number().int() }).nullable(),
    }),
  ),
  media: z.array(z.object({ type: z.enum(MEDIA_TYPES), url: z.string(), isPrimary: z.boolean() })),
  amenities: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      icon: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
});
export type StationDetail = z.infer<typeof StationDetail>;

// ---- Signed-in station features ----

export const FavoriteInput = StationBySnInput;
export const FavoriteOutput = z.object({ sn: z.string(), favorite: z.boolean() });
export type FavoriteOutput = z.infer<typeof FavoriteOutput>;

export const FavoritesInput = PageInput.strict();
export type FavoritesInput = z.infer<typeof FavoritesInput>;
export const FavoriteStation = StationSummary.extend({ favoritedAt: z.date() });
export const FavoritesOutput = paginated(FavoriteStation);
export type FavoritesOutput = z.infer<typeof FavoritesOutput>;

export const ISSUE_TYPES = [
  'station_offline',
  'slot_not_working',
  'power_bank_not_ejected',
  'power_bank_damaged',
  'station_damaged',
  'qr_code_unreadable',
  'other',
] as const;

export const ReportIssueInput = z
  .object({
    sn: SerialNumber,
    issueType: z.enum(ISSUE_TYPES),
    description: z.string().trim().min(3).max(2000),
    /** Ids of the caller's own uploads (`/api/app/upload`). */
    mediaIds: z.array(z.uuid()).max(5).default([]),
  })
  .strict();
export type ReportIssueInput = z.infer<typeof ReportIssueInput>;

export const StationIssueItem = z.object({
  id: z.string(),
  station: z.object({ sn: z.string(), name: z.string() }),
  issueType: z.string(),
  description: z.string(),
  status: z.enum(ISSUE_STATUSES),
  mediaIds: z.array(z.string()),
  createdAt: z.date(),
  resolvedAt: z.date().nullable(),
});
export type StationIssueItem = z.infer<typeof StationIssueItem>;

export const MyReportsInput = PageInput.strict();
export type MyReportsInput = z.infer<typeof MyReportsInput>;
export const MyReportsOutput = paginated(StationIssueItem);
export type MyReportsOutput = z.infer<typeof MyReportsOutput>;

export const StationIssuesInput = PageInput.extend({
  sn: SerialNumber,
  /** Default: the ones still open or in progress. */
  status: z.enum(ISSUE_STATUSES).optional(),
}).strict();
export type StationIssuesInput = z.infer<typeof StationIssuesInput>;
/**
 * Another user's report shows what is wrong, not what they wrote: the free-text
 * description and the photos are theirs, so only `mine` rows carry them.
 */
export const PublicStationIssue = z.object({
  id: z.string(),
  issueType: z.string(),
  status: z.enum(ISSUE_STATUSES),
  mine: z.boolean(),
  description: z.string().nullable(),
  createdAt: z.date(),
  resolvedAt: z.date().nullable(),
});
export const StationIssuesOutput = paginated(PublicStationIssue);
export type StationIssuesOutput = z.infer<typeof StationIssuesOutput>;
