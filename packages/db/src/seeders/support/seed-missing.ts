import type { EntityManager, FilterQuery, RequiredEntityData } from '@mikro-orm/postgresql';

export interface SeedRow<T> {
  /** The row's natural key, e.g. a code or `station-serial:slot-index`. */
  key: string;
  data: RequiredEntityData<T>;
}

/**
 * Idempotent seeding for any table: loads the rows already present (within
 * `scope`), creates only the missing ones and returns every row by key, so
 * later rows can reference them. Existing rows are never overwritten: an admin
 * may have changed a demo value on purpose. Works for tables without a unique
 * key too (banners, FAQ…), where an `upsert` has no conflict target.
 * The caller flushes.
 */
export async function seedMissing<T extends object>(
  em: EntityManager,
  entity: new (...args: never[]) => T,
  rows: readonly SeedRow<T>[],
  keyOf: (existing: T) => string,
  scope: FilterQuery<T> = {} as FilterQuery<T>,
): Promise<Map<string, T>> {
  const byKey = new Map<string, T>();
  for (const existing of await em.find(entity, scope)) byKey.set(keyOf(existing), existing);
  for (const row of rows) {
    if (!byKey.has(row.key)) byKey.set(row.key, em.create(entity, row.data));
  }
  return byKey;
}

/** `map.get(key)`, failing loudly when a seeder refers to a row it never defined. */
export function mustGet<T>(map: ReadonlyMap<string, T>, key: string): T {
  const value = map.get(key);
  if (value === undefined) throw new Error(`seed row "${key}" is not defined`);
  return value;
}
