import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import {
  type DB,
  type Kysely,
  prepared,
  runPrepared,
  Station,
  User,
  UserStationFavorite,
} from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { offsetOf, pageOf } from '../../platform/pagination.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import { minRentalBattery } from './station-discovery.service.ts';
import { stationSummaries, toSummary } from './station-queries.ts';
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
  const params = { userId, minBattery, limit: input.page_size, offset: offsetOf(input) };
  const rows = await runPrepared(em, FAVORITES_PAGE, params);
  let total = Number(rows[0]?.total ?? 0);
  if (!rows[0] && input.page > 1) total = Number((await runPrepared(em, FAVORITES_COUNT, params))[0]?.n ?? 0);
  return pageOf(
    rows.map((row) => ({ ...toSummary(row), favoritedAt: new Date(row.favorited_at) })),
    input,
    total,
  );
}

interface FavoritesParams {
  userId: string;
  minBattery: number;
  limit: number;
  offset: number;
}

/** The user's favorites of stations that still exist, in favorite `f`. */
const favoritesOf = (db: Kysely<DB>, p: FavoritesParams) =>
  db
    .selectFrom('user_station_favorite as f')
    .innerJoin('station as st', 'st.id', 'f.station_id')
    .where('f.user_id', '=', p.userId)
    .where('st.status', '<>', 'decommissioned');

/** A page of favorites, newest first (the window count over the favorites only), with each station's summary. */
const FAVORITES_PAGE = prepared((db, p: FavoritesParams) =>
  stationSummaries(db, p.minBattery)
    .innerJoin(
      favoritesOf(db, p)
        .select((eb) => ['f.station_id', 'f.created_at', eb.fn.countAll<string>().over().as('total')])
        .orderBy('f.created_at', 'desc')
        .orderBy('f.id', 'desc')
        .limit(p.limit)
        .offset(p.offset)
        .as('p'),
      'p.station_id',
      's.id',
    )
    .select(['p.created_at as favorited_at', 'p.total'])
    .orderBy('p.created_at', 'desc')
    .orderBy('s.id'),
);

const FAVORITES_COUNT = prepared((db, p: FavoritesParams) =>
  favoritesOf(db, p).select((eb) => eb.fn.countAll<string>().as('n')),
);
