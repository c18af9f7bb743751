import { z } from 'zod';
import { queryInt } from './query-input.ts';

/** Page number and size as RULES.md fixes them for every list: `?page=&page_size=` (default 20, max 100). */
export const PageInput = z.object({
  page: queryInt(1, 100_000).default(1),
  page_size: queryInt(1, 100).default(20),
});
export type PageInput = z.infer<typeof PageInput>;

export const PaginationOutput = z.object({
  page: z.number().int(),
  page_size: z.number().int(),
  total_count: z.number().int(),
  total_pages: z.number().int(),
  has_next: z.boolean(),
});
export type PaginationOutput = z.infer<typeof PaginationOutput>;

/** `{ results, pagination }`, the list envelope of RULES.md, for items of `item`. */
export function paginated<T extends z.ZodType>(item: T) {
  return z.object({ results: z.array(item), pagination: PaginationOutput });
}

export function pageOf<T>(results: T[], page: PageInput, totalCount: number) {
  const totalPages = Math.ceil(totalCount / page.page_size);
  return {
    results,
    pagination: {
      page: page.page,
      page_size: page.page_size,
      total_count: totalCount,
      total_pages: totalPages,
      has_next: page.page < totalPages,
    },
  };
}

/** Rows to skip for `page`. */
export const offsetOf = (page: PageInput) => (page.page - 1) * page.page_size;

/**
 * A keyset page: `rows` fetched with one extra beyond `page_size` (whether there is a next page),
 * the total counted apart; `next_cursor` is the last id shown.
 */
export function cursorPageOf<T extends { id: string }>(rows: T[], page: PageInput, totalCount: number) {
  const hasNext = rows.length > page.page_size;
  const results = rows.slice(0, page.page_size);
  const base = pageOf(results, page, totalCount);
  return {
    results,
    pagination: {
      ...base.pagination,
      has_next: hasNext,
      next_cursor: hasNext ? (results.at(-1)?.id ?? null) : null,
    },
  };
}
