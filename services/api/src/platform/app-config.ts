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
  const all = await cache.get(STATIC_TABLES.appConfig, 'all', () =>
    configValues(typeof em === 'function' ? em() : em),
  );
  const value = all.get(key);
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * An entity manager, or a way to get one only if the database is read: a request
 * answered from memory (a cache hit) then never forks one (`ctx.em` forks on first read).
 */
export type LazyEntityManager = EntityManager | (() => EntityManager);
