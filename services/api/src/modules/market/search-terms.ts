import type { EntityManager } from '@mikro-orm/postgresql';
import { type ArrayRow, columnIndex, prepared, runPrepared, runPreparedArrays, sql } from '@powerbank/db';
import { freeItemsOf } from './order-availability.ts';

/** The answer's columns of a product: not the stored tsvector or the category path. */
export const SEARCH_COLUMNS = [
  'p.id',
  'p.seller_id',
  'p.category_id',
  'p.title',
  'p.description',
  'p.base_price',
  'p.deposit',
  'p.currency',
  'p.pricing_unit',
  'p.min_units',
  'p.max_units',
  'p.city',
  'p.latitude',
  'p.longitude',
  'p.active',
  'p.popularity_score',
  'p.created_at',
] as const;

/**
 * The one lexeme of a search text whose `websearch_to_tsquery('simple', …)` is a single word (no
 * phrase, no `or`, no negation), or null: Postgres's own parser decides, so the word is the very
 * lexeme `product_search_term` holds. A pure function of the text.
 */
const ONE_WORD = prepared((db, p: { text: string }) =>
  db.selectNoFrom(
    sql<string | null>`(select l from websearch_to_tsquery('simple', ${p.text}::text) as q,
      unnest(tsvector_to_array(to_tsvector('simple', ${p.text}::text))) as l
      where numnode(q) = 1 and array_to_tsvector(array[l]) @@ q)`.as('lexeme'),
  ),
);

/** Search texts seen, and their one lexeme (null: not one word). Emptied when full. */
const lexemes = new Map<string, string | null>();
const LEXEMES_KEPT = 10_000;

/** `text`'s one lexeme (see ONE_WORD): a round trip the first time a text is searched for only. */
export async function oneWordLexeme(em: EntityManager, text: string): Promise<string | null> {
  const known = lexemes.get(text);
  if (known !== undefined) return known;
  const [row] = await runPrepared(em, ONE_WORD, { text }, 'read');
  const lexeme = row?.lexeme ?? null;
  if (lexemes.size >= LEXEMES_KEPT) lexemes.clear();
  lexemes.set(text, lexeme);
  return lexeme;
}

/** What a one-word search is bound to; the parts its shape leaves out are not read. */
export interface TermSearchParams {
  lexeme: string;
  category: number;
  /** The cursor: the last row's rank and id. */
  afterRank: number;
  afterId: string;
  from: Date;
  to: Date;
  limit: number;
}

/** Which of the optional filters a one-word search has: each shape is its own prepared statement. */
export interface TermSearchShape {
  /** Whether the search is in a category (its subtree: the term rows of that category, by equality). */
  category: boolean;
  cursor: boolean;
  available: boolean;
}

/**
 * A one-word search by relevance: the word's rows of `product_search_term` in the index's order
 * (rank descending, then product; in a category, that category's rows by equality, which hold its
 * whole subtree), each row joined to its product and checked for a free item until the page is
 * full: the work is the page's rows, not every product the word matches. The ranks are ts_rank's
 * own (the trigger stores them), so the order and the cursor are the general search's.
 */
const termSearch = (shape: TermSearchShape) =>
  prepared((db, p: TermSearchParams) => {
    let q = db
      .selectFrom('product_search_term as t')
      .innerJoin('product as p', 'p.id', 't.product_id')
      .select(SEARCH_COLUMNS)
      // No distance (no point) and no separate sort key (the rank is it): two columns fewer for pg to send and parse.
      .select('t.rank as rank')
      .where('t.lexeme', '=', p.lexeme);
    // A product has a row per category of its path: in a category, that category's rows; else its
    // own. `true` in the text, not a parameter: the generic plan can use the index `where own` only then.
    q = shape.category ? q.where('t.category_id', '=', p.category) : q.where('t.own', '=', sql.lit(true));
    if (shape.cursor) {
      q = q.where((eb) =>
        eb.or([
          eb('t.rank', '<', p.afterRank),
          eb.and([eb('t.rank', '=', p.afterRank), eb('t.product_id', '>', p.afterId)]),
        ]),
      );
    }
    if (shape.available) {
      // The product's own known-free window first (its row is read for the answer anyway); its
      // items are probed only when the period is not inside it.
      q = q.where((eb) =>
        eb.or([
          eb.and([
            eb('p.free_item_id', 'is not', null),
            eb.or([eb('p.free_from', 'is', null), eb('p.free_from', '<=', p.from)]),
            eb.or([eb('p.free_until', 'is', null), eb('p.free_until', '>=', p.to)]),
          ]),
          eb.exists(freeItemsOf(sql.ref<string>('t.product_id'), p.from, p.to)),
        ]),
      );
    }
    return q.orderBy('t.rank', 'desc').orderBy('t.product_id', 'asc').limit(p.limit);
  });

type TermSearch = ReturnType<typeof termSearch>;
/** The eight shapes, compiled on first use. */
const termSearches = new Map<string, TermSearch>();

/** Where each column sits in a row of `searchByTerm` (every shape selects the same columns). */
export const TERM_COLUMNS = columnIndex(termSearch({ category: false, cursor: false, available: false }));

/**
 * The rows of a one-word search by relevance (up to `limit`), on the replica unless it checks
 * availability: arrays, read by `TERM_COLUMNS` (the hot path: pg builds no row objects).
 */
export function searchByTerm(
  em: EntityManager,
  shape: TermSearchShape,
  params: TermSearchParams,
): Promise<ArrayRow[]> {
  // Availability from the primary: a product booked a moment ago must not show as free.
  return runPreparedArrays(em, termSearchOf(shape), params, shape.available ? 'write' : 'read');
}

/** The statement of a one-word search's shape (compiled once; exported for its plan's test). */
export function termSearchOf(shape: TermSearchShape): TermSearch {
  const key = `${Number(shape.category)}${Number(shape.cursor)}${Number(shape.available)}`;
  let query = termSearches.get(key);
  if (!query) {
    query = termSearch(shape);
    termSearches.set(key, query);
  }
  return query;
}
