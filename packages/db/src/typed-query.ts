import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AliasNode,
  ColumnNode,
  type Compilable,
  CompiledQuery,
  DummyDriver,
  IdentifierNode,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  ReferenceNode,
  type RootOperationNode,
  SelectQueryNode,
  sql,
} from 'kysely';
import { describedOnceQuery } from './described-query.ts';
import { literal, type Statement } from './sql-literal.ts';
import { statementName } from './statement-names.ts';
import type { DB } from './typed-db.ts';

/**
 * A Kysely that only builds and compiles (it has no connection): queries are built against the
 * entities' types once, at module load, and their SQL text is reused on every call. Parts shared
 * by several queries (a subquery) are built with it too.
 */
export const queryBuilder = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** The statement's time (`now()`), for a timestamp column written by a typed query. */
export const now = () => sql<Date>`now()`;

/** Stands in for a named parameter while a query is compiled; bound per call by `valuesOf`. */
class Param {
  constructor(readonly name: string) {}
}

/**
 * How a row arrives from a raw query: MikroORM's `pg` parsers keep timestamps as text and `pg`
 * answers bigint (money) as text; nothing converts them on this path (that would be hydration).
 * So an entity's number may come as a numeric string and its date as an ISO string.
 */
export type Wire<T> = { [K in keyof T]: WireValue<T[K]> };
// A nullable entity property may be `undefined` in memory; from the database it is `null`.
type WireValue<V> = V extends undefined
  ? null
  : V extends Date
    ? string
    : V extends number
      ? number | string
      : V;

/** A query compiled once: its SQL text, prepared under one name per connection, bound per call. */
export interface Prepared<P, R> {
  /** The SQL text with `$1`, `$2`… (what the benchmarks' raw scripts are made from). */
  readonly text: string;
  /** What each `$n` is bound to: a parameter's name, or a constant the query was built with. */
  readonly slots: readonly ({ param: keyof P & string } | { constant: unknown })[];
  /** The row type (type only: `typeof query.row`). */
  readonly row: Wire<R>;
}

/**
 * Compiles `build`'s query once. `build` gets the typed builder and the parameters as stand-ins
 * (`p.userId`), typed by its second argument's annotation; the query names tables and columns
 * the compiler checks against the entities. Every call then binds new values to the same text —
 * a prepared statement, parsed and planned once per connection.
 *
 * @example
 * const balanceOf = prepared((db, p: { userId: string }) =>
 *   db.selectFrom('wallet').select(['balance', 'held']).where('user_id', '=', p.userId));
 * const [wallet] = await runPrepared(em, balanceOf, { userId });
 */
export function prepared<R, P extends object = Record<never, never>>(
  build: (db: Kysely<DB>, p: P) => Compilable<R>,
): Prepared<P, R> {
  const params = new Proxy({} as P, { get: (_target, name) => new Param(String(name)) });
  const compiled = build(queryBuilder, params).compile();
  const query: Prepared<P, R> = {
    text: compiled.sql,
    slots: compiled.parameters.map((value) =>
      value instanceof Param ? { param: value.name as keyof P & string } : { constant: value },
    ),
    row: undefined as unknown as Wire<R>,
  };
  compiledNodes.set(query, compiled.query);
  return query;
}

/** Each prepared query's operation tree, for `columnIndex`. */
const compiledNodes = new WeakMap<Prepared<never, unknown>, RootOperationNode>();

/** The names a select's rows carry, in order: each selection's alias, or its column's name. */
function selectedColumns(node: RootOperationNode | undefined): string[] {
  if (!node || !SelectQueryNode.is(node)) throw new Error('not a select made by `prepared`');
  return (node.selections ?? []).map(({ selection }) => {
    if (AliasNode.is(selection) && IdentifierNode.is(selection.alias)) return selection.alias.name;
    if (ReferenceNode.is(selection) && ColumnNode.is(selection.column)) return selection.column.column.name;
    throw new Error('a prepared select names each column (an alias for an expression, no `select *`)');
  });
}

/** The values of `$1`, `$2`… for `params`. */
export function valuesOf<P>(query: Prepared<P, unknown>, params: P): unknown[] {
  return query.slots.map((slot) => ('param' in slot ? params[slot.param] : slot.constant));
}

/**
 * The SQL text with each parameter's `$n` replaced by `texts[name]` (another statement's `$n`, a
 * pgbench variable) and constants inlined: for SQL written around a typed query (the benchmarks'
 * raw scripts, a statement not yet typed), derived from it rather than copied by hand.
 */
export function textWith<P>(query: Prepared<P, unknown>, texts: { [K in keyof P]?: string }): string {
  return query.text.replace(/\$(\d+)/g, (_all, n: string) => {
    const slot = query.slots[Number(n) - 1];
    if (!slot) throw new Error(`no slot for $${n}`);
    if (!('param' in slot)) return literal(slot.constant);
    const text = texts[slot.param];
    if (text === undefined) throw new Error(`no text for the parameter ${slot.param}`);
    return text;
  });
}

/** The query with `params`, as a statement of a batch (`sqlBatch`, `SqlPool.batch`). */
export const statementOf = <P>(query: Prepared<P, unknown>, params: P): Statement => ({
  text: query.text,
  values: valuesOf(query, params),
});

/**
 * The rows of a compiled query run through `em` — on its transaction's connection when it is in
 * one, else on its pool — as a named prepared statement. `em.execute` would inline every value
 * into the text and Postgres would parse and plan each call anew, which measured ~160 µs of Node
 * CPU per statement against ~95 µs here, and several times the Postgres time. Errors are
 * MikroORM's (a unique violation is a `UniqueConstraintViolationException`), as `em.execute`
 * throws them.
 */
export function runPrepared<P, R>(
  em: EntityManager,
  query: Prepared<P, R>,
  params: P,
  /** `read` (READ_REPLICA): the read replica when one is configured, for lag-tolerant reads. */
  connection: 'read' | 'write' = 'write',
): Promise<Wire<R>[]> {
  return executePrepared<Wire<R>>(em, query.text, valuesOf(query, params), connection);
}

/** Where each column of `query`'s rows sits in a row of `runPreparedArrays`. */
export type ColumnIndex<R> = { readonly [K in keyof R]: number };

/** `query`'s column positions (a select's, from its compiled tree), for reading its array rows by name. */
export function columnIndex<P, R>(query: Prepared<P, R>): ColumnIndex<R> {
  const columns = selectedColumns(compiledNodes.get(query as Prepared<never, unknown>));
  return Object.fromEntries(columns.map((name, i) => [name, i])) as unknown as ColumnIndex<R>;
}

/** One row of `runPreparedArrays`: the column values in the select's order (read by `columnIndex`). */
export type ArrayRow = readonly unknown[];

/**
 * `runPrepared` for a hot read whose rows are read once, column by column: rows as arrays
 * (pg builds no object per row) and the statement described once per process rather than on
 * every execution (see described-query.ts). Read a row with `columnIndex(query)`.
 */
export async function runPreparedArrays<P, R>(
  em: EntityManager,
  query: Prepared<P, R>,
  params: P,
  connection: 'read' | 'write' = 'write',
): Promise<ArrayRow[]> {
  const text = query.text;
  const named = describedOnceQuery(statementName(text), text, valuesOf(query, params));
  return executeOn<ArrayRow>(
    em,
    { ...CompiledQuery.raw(text, []), sql: named as unknown as string },
    connection,
  );
}

/**
 * Runs `text` as a prepared statement named for it on `em`'s connection. Meant for a fixed set
 * of texts: each distinct text stays prepared on every connection that ran it.
 */
export async function executePrepared<R>(
  em: EntityManager,
  text: string,
  values: readonly unknown[],
  /** `read`: the ORM's read replica when one is configured (outside a transaction). */
  connection: 'read' | 'write' = 'write',
): Promise<R[]> {
  // Kysely's Postgres connection hands `sql` to pg's `client.query(sql, parameters)` untouched, and
  // pg takes a `{ name, text }` config there: that is what makes the statement a prepared one.
  const named = { name: statementName(text), text } as unknown as string;
  return executeOn<R>(em, { ...CompiledQuery.raw(text, values as unknown[]), sql: named }, connection);
}

/**
 * Runs `query` on `em`'s connection through Kysely, whose `sql` is what pg's `client.query` takes
 * (a named config or a query object), and turns pg's errors into the ORM's.
 */
async function executeOn<R>(
  em: EntityManager,
  query: CompiledQuery,
  connection: 'read' | 'write',
): Promise<R[]> {
  try {
    const result = await em.getKysely({ type: connection }).executeQuery<R>(query);
    return result.rows as R[];
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}
