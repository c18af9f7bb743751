import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Station, StationAmenity, StationAmenityMapping, StationMedia } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { adminMutation } from '../admin-auth/admin-action.ts';
import { type AdminContext, flushNew } from '../admin-auth/admin-writes.ts';
import { publishStationsChanged } from '../stations/station-directory.follow.ts';
import type {
  AdminStationOutput,
  CreateStationInput,
  ProvisionedStationOutput,
  RetireStationInput,
  UpdateStationInput,
} from './station-admin.schemas.ts';
import { withBrokerAdmin } from './station-broker.ts';

async function lockStation(tx: EntityManager, sn: string): Promise<Station> {
  const station = await tx.findOne(Station, { serialNumber: sn }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!station) throw new DomainError('NOT_FOUND', `no station ${sn}`);
  return station;
}

async function replaceAmenities(tx: EntityManager, station: Station, codes: readonly string[]) {
  const wanted = [...new Set(codes)];
  const amenities = wanted.length ? await tx.find(StationAmenity, { code: { $in: wanted } }) : [];
  const unknown = wanted.filter((code) => !amenities.some((a) => a.code === code));
  if (unknown.length)
    throw new DomainError('VALIDATION_FAILED', `unknown amenity codes: ${unknown.join(', ')}`);
  await tx.nativeDelete(StationAmenityMapping, { station });
  for (const amenity of amenities) tx.create(StationAmenityMapping, { station, amenity });
}

async function replaceMedia(tx: EntityManager, station: Station, media: CreateStationInput['media']) {
  await tx.nativeDelete(StationMedia, { station });
  media.forEach(({ url, type }, i) => {
    tx.create(StationMedia, { station, url, type, isPrimary: i === 0, sortOrder: i });
  });
}

async function describeStation(tx: EntityManager, station: Station): Promise<AdminStationOutput> {
  const [amenities, media] = await Promise.all([
    tx.find(
      StationAmenityMapping,
      { station },
      { populate: ['amenity'], orderBy: { amenity: { code: 'asc' } } },
    ),
    tx.find(StationMedia, { station }, { orderBy: { sortOrder: 'asc' } }),
  ]);
  return {
    stationSn: station.serialNumber,
    name: station.name,
    address: station.address,
    city: station.city ?? null,
    latitude: Number(station.latitude),
    longitude: Number(station.longitude),
    status: station.status,
    slotCount: station.slotCount,
    isPublic: station.isPublic,
    openingHours: station.openingHours ?? null,
    description: station.description ?? null,
    amenityCodes: amenities.map((m) => m.amenity.code),
    media: media.map((m) => ({ url: m.url, type: m.type })),
  };
}

/** Runs an admin change of stations, then tells every api instance's directory to follow at once. */
async function stationChange<T>(ctx: AdminContext, run: () => Promise<T>): Promise<T> {
  const result = await run();
  await publishStationsChanged(ctx.deps.nats, ctx.deps.env.NATS_PREFIX).catch((err: unknown) =>
    // The directory still follows within its bounded staleness.
    ctx.logger.warn({ err }, 'station change not published'),
  );
  return result;
}

/**
 * Provisions a station: its row (offline until it connects), amenities, media and, when the api
 * is the broker's admin, its broker account. The account is issued inside the transaction: if the
 * broker refuses, nothing is created; if the commit then fails, provisioning again issues a new
 * password and the first one stops working.
 */
export function createStation(
  ctx: AdminContext,
  input: CreateStationInput,
): Promise<ProvisionedStationOutput> {
  return stationChange(ctx, () =>
    adminMutation(ctx, 'station.create', async (tx) => {
      const { stationSn, amenityCodes, media, ...fields } = input;
      const station = tx.create(Station, { serialNumber: stationSn, status: 'offline', ...fields });
      await flushNew(tx, `station ${stationSn} already exists`);
      await replaceAmenities(tx, station, amenityCodes);
      await replaceMedia(tx, station, media);
      await tx.flush();
      const described = await describeStation(tx, station);
      const brokerCredentials = await withBrokerAdmin(ctx.deps.env, (admin) =>
        admin.issueStationCredentials(stationSn),
      );
      return {
        result: { ...described, brokerCredentials },
        targetType: 'station',
        targetId: stationSn,
        after: { ...described, brokerAccount: brokerCredentials ? 'issued' : 'none' },
      };
    }),
  );
}

export function updateStation(ctx: AdminContext, input: UpdateStationInput): Promise<AdminStationOutput> {
  return stationChange(ctx, () =>
    adminMutation(ctx, 'station.update', async (tx) => {
      const { stationSn, amenityCodes, media, ...fields } = input;
      const station = await lockStation(tx, stationSn);
      if (station.status === 'decommissioned')
        throw new DomainError('BUSINESS_RULE', `station ${stationSn} is retired`);
      const before = await describeStation(tx, station);
      tx.assign(station, fields);
      // Bumped even when only amenities or media change: the directory reads changes by it.
      station.updatedAt = new Date();
      if (amenityCodes) await replaceAmenities(tx, station, amenityCodes);
      if (media) await replaceMedia(tx, station, media);
      await tx.flush();
      const after = await describeStation(tx, station);
      return { result: after, targetType: 'station', targetId: stationSn, before, after };
    }),
  );
}

/** Retires a station: gone from the app at once, its broker account revoked (it can no longer connect). */
export function retireStation(ctx: AdminContext, input: RetireStationInput): Promise<AdminStationOutput> {
  return stationChange(ctx, () =>
    adminMutation(ctx, 'station.retire', async (tx) => {
      const station = await lockStation(tx, input.stationSn);
      if (station.status === 'decommissioned')
        throw new DomainError('BUSINESS_RULE', `station ${input.stationSn} is already retired`);
      const before = { status: station.status };
      station.status = 'decommissioned';
      station.isPublic = false;
      await tx.flush();
      await withBrokerAdmin(ctx.deps.env, (admin) => admin.revokeStation(input.stationSn));
      return {
        result: await describeStation(tx, station),
        targetType: 'station',
        targetId: input.stationSn,
        before,
        after: { status: station.status },
        reason: input.reason,
      };
    }),
  );
}
