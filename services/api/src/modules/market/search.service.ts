import type { EntityManager } from '@mikro-orm/postgresql';
import { type ArrayRow, READ_REPLICA } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { StaticCache } from '../../platform/static-cache.ts';
import { categoryWithSlug } from './catalogue.service.ts';
import type { ProductOutput, SearchInput, SearchOutput } from './market.schemas.ts';
import { marketDb } from './market-db.ts';
import { freeItemsOf } from './order-availability.ts';
import { oneWordLexeme, SEARCH_COLUMNS, searchByTerm, TERM_COLUMNS } from './search-terms.ts';

/** The document searched: the stored tsvector of title and description, in the `product_search_gin` index. */
const document = sql`p.search_vector`;

interface Cursor {
  /** The sort key of the last row of the page (a number or an ISO date). */
  v: number | string;
  id: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(text: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if ((typeof c.v === 'number' || typeof c.v === 'string') && typeof c.id === 'string') return c;
  } catch {
    // Refused below.
  }
  throw new DomainError('VALIDATION_FAILED', 'not a cursor this search gave');
}

/**
 * Marketplace search: full text over title and description (ranked), a category's whole
 * subtree, price range, seller, city or distance from a point, and "available between" — at
 * least one item in service with no blocking order line overlapping the period. Keyset
 * pagination on (sort key, id): a page never repeats or skips a row as new orders arrive.
 */
export async function searchProducts(
  em: EntityManager,
  cache: StaticCache,
  input: SearchInput,
): Promise<SearchOutput> {
  const from = input.available_from;
  const to = input.available_to;
  if ((from === undefined) !== (to === undefined)) {
    throw new DomainError('VALIDATION_FAILED', 'available_from and available_to go together');
  }
  if (from && to && !(to.getTime() > from.getTime())) {
    throw new DomainError('VALIDATION_FAILED', 'available_to must be after available_from');
  }
  if ((input.lat === undefined) !== (input.lng === undefined)) {
    throw new DomainError('VALIDATION_FAILED', 'lat and lng go together');
  }
  const text = input.q?.trim() ? input.q.trim() : undefined;
  const query = text ? sql`websearch_to_tsquery('simple', ${text})` : undefined;
  const rank = query ? sql<number>`ts_rank(${document}, ${query})` : sql<number>`0::real`;
  const here = input.lat !== undefined ? sql`ll_to_earth(${input.lat}, ${input.lng})` : undefined;
  const distance = here
    ? sql<number | null>`earth_distance(${here}, ll_to_earth(p.latitude, p.longitude))`
    : sql<number | null>`null::float8`;
  // A subtree is the products whose category path holds the category: the same GIN index as the text.
  const category = input.category ? (await categoryWithSlug(em, cache, input.category)).id : undefined;

  const sort = input.sort === 'relevance' && !query ? 'popularity' : input.sort;
  const key: RawBuilder<number | string | Date> =
    sort === 'relevance'
      ? rank
      : sort === 'price_asc' || sort === 'price_desc'
        ? sql<number>`p.base_price`
        : sort === 'popularity'
          ? sql<number>`p.popularity_score`
          : sql<Date>`p.created_at`;
  const ascending = sort === 'price_asc';
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;

  // A one-word search by relevance, filtered by subtree and period only (the bench's and the
  // commonest search): walked in rank order from product_search_term, not ranked in full.
  const lexeme = text && sort === 'relevance' && !narrowed(input) ? await oneWordLexeme(em, text) : null;
  if (lexeme) {
    const rows = await searchByTerm(
      em,
      {
        category: category !== undefined,
        cursor: cursor !== undefined,
        available: from !== undefined,
      },
      {
        lexeme,
        category: category ?? 0,
        afterRank: Number(cursor?.v ?? 0),
        afterId: cursor?.id ?? '',
        from: from ?? new Date(0),
        to: to ?? new Date(0),
        limit: input.limit + 1,
      },
    );
    return pageOf(rows.map(termRow), input.limit, 'rank');
  }

  // The public catalogue: from the read replica when there is one (a new product shows a moment later).
  let q = marketDb(em, READ_REPLICA)
    .selectFrom('product as p')
    .select(SEARCH_COLUMNS)
    .select([rank.as('rank'), distance.as('distance_m'), key.as('sort_key')])
    .where('p.active', '=', true);
  if (query) q = q.where(sql<SqlBool>`${document} @@ ${query}`);
  if (category !== undefined) q = q.where(sql<SqlBool>`p.category_path @> array[${category}]::int[]`);
  if (input.min_price !== undefined) q = q.where('p.base_price', '>=', input.min_price);
  if (input.max_price !== undefined) q = q.where('p.base_price', '<=', input.max_price);
  if (input.seller_id) q = q.where('p.seller_id', '=', input.seller_id);
  if (input.city) q = q.where(sql<SqlBool>`lower(p.city) = lower(${input.city})`);
  if (here) {
    q = q.where(sql<SqlBool>`earth_box(${here}, ${input.radius_m}) @> ll_to_earth(p.latitude, p.longitude)`);
    q = q.where(
      sql<SqlBool>`earth_distance(${here}, ll_to_earth(p.latitude, p.longitude)) <= ${input.radius_m}`,
    );
  }
  if (cursor) {
    const c = cursor;
    // Newest: the timestamp as Postgres wrote it, compared by Postgres (no JS rounding in between).
    const v = sort === 'newest' ? String(c.v) : Number(c.v);
    q = q.where((eb) =>
      eb.or([eb(key, ascending ? '>' : '<', v), eb.and([eb(key, '=', v), eb('p.id', '>', c.id)])]),
    );
  }
  const direction = ascending ? 'asc' : 'desc';
  const ranked = q.orderBy(key, direction).orderBy('p.id', 'asc');
  // "Available between" last, and only as far as the page needs: the cheap filters (one GIN scan
  // for text ∩ subtree) are ranked and sorted first, behind an `offset 0` fence so the planner
  // keeps them apart, then the rows in that order are checked for a free item until the page is
  // full — a few availability probes per page, not one per candidate. The outer order is the
  // subquery's own (its pathkeys), so it costs no second sort.
  const rows = await (from && to
    ? marketDb(em)
        .selectFrom(ranked.offset(0).as('p'))
        .selectAll('p')
        .where(({ exists }) => exists(freeItemsOf(sql.ref<string>('p.id'), from, to)))
        .orderBy('p.sort_key', direction)
        .orderBy('p.id', 'asc')
        .limit(input.limit + 1)
    : ranked.limit(input.limit + 1)
  ).execute();
  return pageOf(rows, input.limit, 'sort_key');
}

/** Filters the one-word path does not take (they narrow the products; the general search's indexes serve them). */
const narrowed = (input: SearchInput) =>
  input.min_price !== undefined ||
  input.max_price !== undefined ||
  input.seller_id !== undefined ||
  input.city !== undefined ||
  input.lat !== undefined;

/** A row of either search as pg hands it over (raw: numbers may come as text, timestamps as text). */
interface SearchRow {
  id: string;
  seller_id: string;
  category_id: number | string;
  title: string;
  description?: string | null;
  base_price: number | string;
  deposit: number | string;
  currency: string;
  pricing_unit: ProductOutput['pricing_unit'];
  min_units: number | string;
  max_units?: number | string | null;
  city?: string | null;
  latitude?: number | string | null;
  longitude?: number | string | null;
  active: boolean;
  popularity_score: number | string;
  created_at: string | Date;
  rank: number | string;
  /** Absent from the one-word search (no point to measure from). */
  distance_m?: number | string | null;
  /** Absent from the one-word search, whose sort key is its rank. */
  sort_key?: unknown;
}

const optionalNumber = (value: number | string | null | undefined) => (value == null ? null : Number(value));
const sortValue = (value: unknown) =>
  typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : Number(value);

/** Where each column sits in the one-word search's array rows (its select's order). */
const T = TERM_COLUMNS;
/**
 * The one-word search's array row as a `SearchRow` (no distance: no point), read by constant
 * positions: the page is then built by one mapping for both searches. (Reading each column
 * through a by-name lookup cost ~11 µs of Node CPU per page of 20; this ~5.)
 */
const termRow = (r: ArrayRow): SearchRow =>
  ({
    id: r[T.id],
    seller_id: r[T.seller_id],
    category_id: r[T.category_id],
    title: r[T.title],
    description: r[T.description],
    base_price: r[T.base_price],
    deposit: r[T.deposit],
    currency: r[T.currency],
    pricing_unit: r[T.pricing_unit],
    min_units: r[T.min_units],
    max_units: r[T.max_units],
    city: r[T.city],
    latitude: r[T.latitude],
    longitude: r[T.longitude],
    active: r[T.active],
    popularity_score: r[T.popularity_score],
    created_at: r[T.created_at],
    rank: r[T.rank],
  }) as SearchRow;

/**
 * The page of `rows` (up to `limit` + 1: one more says there is a next page) and its cursor,
 * whose value is the page's last row's `sortKey` column.
 */
function pageOf(rows: readonly SearchRow[], limit: number, sortKey: 'rank' | 'sort_key'): SearchOutput {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    results: page.map((r) => ({
      id: r.id,
      seller_id: r.seller_id,
      category_id: Number(r.category_id),
      title: r.title,
      description: r.description ?? null,
      base_price: Number(r.base_price),
      deposit: Number(r.deposit),
      currency: r.currency,
      pricing_unit: r.pricing_unit,
      min_units: Number(r.min_units),
      max_units: optionalNumber(r.max_units),
      city: r.city ?? null,
      latitude: optionalNumber(r.latitude),
      longitude: optionalNumber(r.longitude),
      active: r.active,
      popularity_score: Number(r.popularity_score),
      // Raw rows: pg hands timestamps over as text here.
      created_at: new Date(r.created_at),
      rank: Number(r.rank),
      distance_m: roundedDistance(r.distance_m),
    })),
    next_cursor:
      rows.length > limit && last ? encodeCursor({ v: sortValue(last[sortKey]), id: last.id }) : null,
  };
}

const roundedDistance = (value: number | string | null | undefined) =>
  value == null ? null : Math.round(Number(value));
