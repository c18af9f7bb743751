import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from './sql-rows.ts';

/**
 * `AppConfig` values by key — of `keys`, or every row — read as plain rows. Settings are read on
 * hot paths and never changed where they are read, so they skip entity hydration and change
 * tracking: about a sixth of the CPU of `em.find(AppConfig, …)` for 15 rows.
 */
export async function configValues(
  em: EntityManager,
  keys?: readonly string[],
): Promise<Map<string, unknown>> {
  const rows = keys
    ? await sqlRows<{ key: string; value: unknown }>(
        em,
        'select key, value from app_config where key = any($1)',
        [keys],
      )
    : await sqlRows<{ key: string; value: unknown }>(em, 'select key, value from app_config');
  return new Map(rows.map((row) => [row.key, row.value]));
}

/**
 * A scalar subquery answering the `AppConfig` values of the keys bound at `param` (e.g. `$2`) as one
 * jsonb object, for a hot path to read its settings in the statement it runs anyway rather than in
 * a round trip of their own. `configOf` reads the answer.
 */
export const configSubquery = (param: string) =>
  `(select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) from app_config where key = any(${param}))`;

/** `configSubquery`'s answer as `configValues` gives it. */
export function configOf(answer: unknown): Map<string, unknown> {
  return new Map(Object.entries((answer ?? {}) as Record<string, unknown>));
}
