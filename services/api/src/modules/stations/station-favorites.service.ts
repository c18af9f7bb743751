import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Station, User, UserStationFavorite } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import { minRentalBattery } from './station-discovery.service.ts';
import { SLOT_COUNTS_JOIN, SUMMARY_COLUMNS, type SummaryRow, toSummary } from './station-queries.ts';
import type { FavoriteOutput, FavoritesInput, FavoritesOutput } from './stations.schemas.ts';

/** A station the app may act on: any but a decommissioned one. */
export async function findActiveStation(em: EntityManager, sn: string): Promise<Station> {
  const station = await em.findOne(Station, { serialNumber: sn, status: { $ne: 'decommissioned' } });
  if (!station) throw new DomainError('NOT_FOUND', `no station ${sn}`);
  return station;
}

/** Marks a favorite; adding one twice (even concurrently) is the same as adding it once. */
export async function addFavorite(em: EntityManager, userId: string, sn: string): Promise<FavoriteOutput> {
  const station = await findActiveStation(em, sn);
  const existing = await em.findOne(UserStationFavorite, { user: userId, station });
  if (!existing) {
    em.create(UserStationFavorite, { user: em.getReference(User, userId), station });
    try {
      await em.flush();
    } catch (error) {
      // A concurrent add won the race: the favorite exists, which is all the caller asked.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }
  }
  return { sn: station.serialNumber, favorite: true };
}

/** Removes the caller's own favorite (only theirs: the user is part of the delete); absent is fine. */
export async function removeFavorite(em: EntityManager, userId: string, sn: string): Promise<FavoriteOutput> {
  const station = await findActiveStation(em, sn);
  await em.nativeDelete(UserStationFavorite, { user: userId, station });
  return { sn: station.serialNumber, favorite: false };
}

/** The caller's favorite stations, most recently added first, with live counts. */
export async function listFavorites(
  em: EntityManager,
  cache: StaticCache,
  userId: string,
  input: FavoritesInput,
): Promise<FavoritesOutput> {
  const minBattery = await minRentalBattery(em, cache);
  const rows = await em.getConnection().execute<(SummaryRow & { favorited_at: string; total: string })[]>(
    `with page as (
       select f.station_id, f.created_at, count(*) over () as total
       from user_station_favorite f join station st on st.id = f.station_id
       where f.user_id = ? and st.status <> 'decommissioned'
       order by f.created_at desc, f.id desc limit ? offset ?)
     select ${SUMMARY_COLUMNS}, p.created_at as favorited_at, p.total
     from page p join station s on s.id = p.station_id ${SLOT_COUNTS_JOIN}
     order by p.created_at desc, s.id`,
    [userId, input.page_size, offsetOf(input), minBattery],
  );
  let total = Number(rows[0]?.total ?? 0);
  if (!rows[0] && input.page > 1) {
    const [row] = await em.getConnection().execute<{ n: string }[]>(
      `select count(*) as n from user_station_favorite f join station st on st.id = f.station_id
       where f.user_id = ? and st.status <> 'decommissioned'`,
      [userId],
    );
    total = Number(row?.n ?? 0);
  }
  return pageOf(
    rows.map((row) => ({ ...toSummary(row), favoritedAt: new Date(row.favorited_at) })),
    input,
    total,
  );
}
