import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from './sql-rows.ts';

/**
 * The entity of the first row `sql` answers (it must select the entity's whole row), managed by
 * `em` like a `findOne` result, or null. `sql` is parameterised `$1`, `$2`… (see `sqlRows`). For hot paths that know their query: MikroORM spends
 * about as much CPU building a `findOne`'s query as it does on the rest of it.
 */
export async function selectEntity<T extends object>(
  em: EntityManager,
  entity: new (...args: never[]) => T,
  sql: string,
  params: unknown[],
): Promise<T | null> {
  const [row] = await sqlRows<Record<string, unknown>>(em, sql, params);
  return row ? em.map(entity, row) : null;
}
