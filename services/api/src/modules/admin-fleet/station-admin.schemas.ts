import { MEDIA_TYPES, STATION_STATUSES } from '@powerbank/db';
import { stationSerial } from '@powerbank/protocol';
import { z } from 'zod';

const StationMediaInput = z
  .object({ url: z.url().max(1024), type: z.enum(MEDIA_TYPES).default('image') })
  .strict();

/** What an admin may set on a station; the slots themselves are the station's to report. */
const stationFields = {
  name: z.string().trim().min(1).max(120),
  address: z.string().trim().min(1).max(255),
  city: z.string().trim().min(1).max(80).nullable(),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  isPublic: z.boolean(),
  openingHours: z.string().trim().max(120).nullable(),
  description: z.string().trim().max(2000).nullable(),
  /** Codes of StationAmenity rows; the list replaces the station's amenities. */
  amenityCodes: z.array(z.string().trim().min(1).max(40)).max(32),
  /** The first is the primary image; the list replaces the station's media. */
  media: z.array(StationMediaInput).max(20),
};

export const CreateStationInput = z
  .object({
    stationSn: stationSerial,
    slotCount: z.number().int().min(1).max(64),
    ...stationFields,
    city: stationFields.city.default(null),
    isPublic: stationFields.isPublic.default(true),
    openingHours: stationFields.openingHours.default(null),
    description: stationFields.description.default(null),
    amenityCodes: stationFields.amenityCodes.default([]),
    media: stationFields.media.default([]),
  })
  .strict();
export type CreateStationInput = z.infer<typeof CreateStationInput>;

/** Only the fields given change. */
export const UpdateStationInput = z
  .object(stationFields)
  .partial()
  .extend({ stationSn: stationSerial })
  .strict();
export type UpdateStationInput = z.infer<typeof UpdateStationInput>;

export const RetireStationInput = z
  .object({ stationSn: stationSerial, reason: z.string().trim().min(3).max(255) })
  .strict();
export type RetireStationInput = z.infer<typeof RetireStationInput>;

export const AdminStationOutput = z.object({
  stationSn: z.string(),
  name: z.string(),
  address: z.string(),
  city: z.string().nullable(),
  latitude: z.number(),
  longitude: z.number(),
  status: z.enum(STATION_STATUSES),
  slotCount: z.number().int(),
  isPublic: z.boolean(),
  openingHours: z.string().nullable(),
  description: z.string().nullable(),
  amenityCodes: z.array(z.string()),
  media: z.array(z.object({ url: z.string(), type: z.enum(MEDIA_TYPES) })),
});
export type AdminStationOutput = z.infer<typeof AdminStationOutput>;

export const ProvisionedStationOutput = AdminStationOutput.extend({
  /**
   * The station's broker account, shown once (the broker keeps only a hash); null when the api
   * has no broker admin (MQTT_ADMIN_PASSWORD unset: an anonymous broker).
   */
  brokerCredentials: z
    .object({ username: z.string(), password: z.string(), clientId: z.string() })
    .nullable(),
});
export type ProvisionedStationOutput = z.infer<typeof ProvisionedStationOutput>;
