import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery } from 'kysely';
import { inlined, type Statement } from './sql-literal.ts';
import { statementName } from './statement-names.ts';

/**
 * Rows of parameterised SQL (`$1`, `$2`…) run through `em` — on its transaction's connection when
 * it is in one, else on its pool — as a named prepared statement: bound, parsed and planned once
 * per connection. For hot paths that already speak SQL: `em.execute` inlines every parameter into
 * the text (quoting, escaping) and Postgres parses and plans each call anew, which measured ~160 µs
 * of Node CPU per statement against ~95 µs here, and several times the Postgres time.
 *
 * Errors are MikroORM's (a unique violation is a `UniqueConstraintViolationException`), as
 * `em.execute` throws them. Meant for a fixed set of texts: each distinct text stays prepared on
 * every connection that ran it, so values go in parameters, never into the text.
 */
export async function sqlRows<R>(
  em: EntityManager,
  text: string,
  values: readonly unknown[] = [],
  /** `read`: the ORM's read replica when one is configured (outside a transaction). */
  connection: 'read' | 'write' = 'write',
): Promise<R[]> {
  // Kysely's Postgres connection hands `sql` to pg's `client.query(sql, parameters)` untouched, and
  // pg takes a `{ name, text }` config there: that is what makes the statement a prepared one.
  const prepared = { name: statementName(text), text } as unknown as string;
  const query = { ...CompiledQuery.raw(text, values as unknown[]), sql: prepared };
  try {
    const result = await em.getKysely({ type: connection }).executeQuery<R>(query);
    return result.rows as R[];
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}

/**
 * Statements that answer nothing the caller needs (blind writes), run through `em` in one round
 * trip: one query of several statements, values inlined as literals (such a query cannot bind
 * parameters), so Postgres parses them on every call. Inside a transaction they are part of it;
 * outside, the query is one transaction of its own. Errors as `sqlRows` throws them.
 */
export async function sqlBatch(em: EntityManager, statements: readonly Statement[]): Promise<void> {
  if (statements.length === 0) return;
  // No parameters: pg sends it with the simple protocol, which takes several statements at once.
  const query = CompiledQuery.raw(statements.map(inlined).join(';\n'), []);
  try {
    await em.getKysely().executeQuery(query);
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}
