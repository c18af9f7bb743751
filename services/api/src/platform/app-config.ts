import type { EntityManager } from '@mikro-orm/postgresql';
import { configValues } from '@powerbank/db';
import type { StaticCache } from './static-cache.ts';
import { STATIC_TABLES } from './static-tables.ts';

/**
 * A numeric business setting from `AppConfig` (RULES.md: figures live there, admins change
 * them), read through the static cache. `fallback` is the RULES.md default, used only
 * when the row is missing or not a number, so a fresh database still behaves as documented.
 */
export async function appConfigNumber(
  em: LazyEntityManager,
  cache: StaticCache,
  key: string,
  fallback: number,
): Promise<number> {
  const value = (await appConfigValues(em, cache)).get(key);
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Every `AppConfig` value by key, through the static cache. */
export function appConfigValues(em: LazyEntityManager, cache: StaticCache): Promise<Map<string, unknown>> {
  return cache.get(STATIC_TABLES.appConfig, 'all', () => configValues(managerOf(em)));
}

/**
 * An entity manager, or a way to get one only if the database is read: a request
 * answered from memory (a cache hit) then never forks one (`ctx.em` forks on first read).
 */
export type LazyEntityManager = EntityManager | (() => EntityManager);

/** The entity manager itself, forked now if it was deferred: call it only where the database is read. */
export const managerOf = (em: LazyEntityManager): EntityManager => (typeof em === 'function' ? em() : em);
