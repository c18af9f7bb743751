import type { Primary, PrimaryProperty, Scalar, SnakeCase } from '@mikro-orm/postgresql';
import type { entities } from './entities/index.ts';

/**
 * Tables whose name is not their entity's class name in snake case (the entity sets `tableName`).
 * MikroORM infers a class entity's table from its class name only, so these are renamed here; a
 * test compares this with every entity's metadata, so an entity that gains a `tableName` fails it.
 */
export const RENAMED_TABLES = {
  user: 'users',
  transaction: 'transactions',
} as const;

type Entity = (typeof entities)[number];

/**
 * A relation: an entity (it has a primary key property and no index signature, which JSON
 * objects do). MikroORM's own `InferClassEntityDB` takes every non-scalar for a relation, so it
 * drops JSON columns (`p.json<unknown>()`) or names them `<column>_id`; this keeps them.
 */
type IsRelation<V> = unknown extends V
  ? false
  : V extends Scalar | readonly unknown[]
    ? false
    : string extends keyof V
      ? false
      : PrimaryProperty<V> extends string
        ? [PrimaryProperty<V>] extends [never]
          ? false
          : true
        : false;
/** A collection (one-to-many, many-to-many) has no column. */
type IsCollection<V> = V extends { readonly owner: object; [k: number]: unknown } ? true : false;

type ColumnName<K, V> = K extends string
  ? IsCollection<NonNullable<V>> extends true
    ? never
    : IsRelation<NonNullable<V>> extends true
      ? `${SnakeCase<K>}_${SnakeCase<PrimaryProperty<NonNullable<V>> & string>}`
      : SnakeCase<K>
  : never;
type ColumnValue<V> =
  IsRelation<NonNullable<V>> extends true
    ? Primary<NonNullable<V>> | (null extends V ? null : never) | (undefined extends V ? null : never)
    : V;
// Methods (entity helpers) are not columns.
type Columns<I> = {
  -readonly [K in keyof I as I[K] extends (...args: never[]) => unknown
    ? never
    : ColumnName<K, I[K]>]: ColumnValue<I[K]>;
};

// As MikroORM names a class entity's table: from the name `defineEntity` gave it.
type TableName<T> = T extends { '~entityName'?: infer Name extends string } ? SnakeCase<Name> : never;
type Inferred = {
  [T in Entity as TableName<T>]: T extends abstract new (...args: never[]) => infer I ? Columns<I> : never;
};
type Renamed<T, R extends Record<string, string>> = {
  [K in keyof T as K extends keyof R ? R[K] : K]: T[K];
};

/**
 * The database as Kysely sees it, inferred from the entities: table names, column names and
 * column types come from the entity definitions, so a query naming a column an entity does not
 * have fails `pnpm typecheck`.
 */
export type DB = Renamed<Inferred, typeof RENAMED_TABLES>;
