/**
 * When the stations report's page, ranked among the candidates read from the bounding periods'
 * lists (station-ranking.ts), is the page of every station: the threshold algorithm's stopping
 * rule, apart from the database.
 */

/** What one round read of one bounding period's list (its stations by amount, highest first). */
export interface ListRead {
  /** Rows read: fewer than the round's depth when the list was read whole. */
  listed: number;
  /** The amount of the last row read (the smallest). */
  least: number;
}

/**
 * The most a (station, currency) that no list showed can have over the range. Each bounding
 * period covers its part of the range, and amounts are never negative, so over that part such
 * a station has at most its period's amount, which is at most the last amount read from a list
 * that was not read whole, and nothing when the list was read whole (every station of the
 * period was read). Over the range: the sum over the lists.
 */
export function unseenBound(lists: readonly ListRead[], depth: number): number {
  return lists.reduce((sum, list) => sum + (list.listed < depth ? 0 : list.least), 0);
}

export interface Round {
  lists: readonly ListRead[];
  depth: number;
  /**
   * The range is one period, whose list is the only one: it is in the page's order (amount,
   * rentals, station), so its top `limit` rows are the page.
   */
  alone: boolean;
}

/**
 * Whether `page` (the top `limit` of the round's candidates, in the report's order) is the top
 * `limit` of every station: when every list was read whole (every station with figures in the
 * range is a candidate), when a one-period range's list was read `limit` deep, or when the page
 * is full and its last station has more than any unseen station can have (`unseenBound`:
 * strictly more, since an unseen station with as much could still come first on rentals or id).
 */
export function pageIsExact(round: Round, page: readonly { amount: number }[], limit: number): boolean {
  if (round.lists.every((list) => list.listed < round.depth)) return true;
  if (round.alone && round.depth >= limit) return true;
  const last = page.at(-1);
  return page.length === limit && last !== undefined && last.amount > unseenBound(round.lists, round.depth);
}
