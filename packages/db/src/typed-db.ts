import type { InferClassEntityDB } from '@mikro-orm/postgresql';
import type { entities } from './entities/index.ts';

/**
 * Tables whose name is not their entity's class name in snake case (the entity sets `tableName`).
 * MikroORM infers a class entity's table from its class name only, so these are renamed here; a
 * test compares this with every entity's metadata, so an entity that gains a `tableName` fails it.
 */
export const RENAMED_TABLES = {
  user: 'users',
  transaction: 'transactions',
  o_auth_account: 'oauth_account',
} as const;

type Inferred = InferClassEntityDB<(typeof entities)[number]>;
type Renamed<T, R extends Record<string, string>> = {
  [K in keyof T as K extends keyof R ? R[K] : K]: T[K];
};

/**
 * The database as Kysely sees it, inferred from the entities: table names, column names and
 * column types come from the entity definitions, so a query naming a column an entity does not
 * have fails `pnpm typecheck`.
 */
export type DB = Renamed<Inferred, typeof RENAMED_TABLES>;
