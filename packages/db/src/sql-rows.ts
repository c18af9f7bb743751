import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery } from 'kysely';
import { inlined, type Statement } from './sql-literal.ts';
import { executePrepared } from './typed-query.ts';

/**
 * Rows of hand-written parameterised SQL (`$1`, `$2`…), run as `runPrepared` runs a typed query.
 * Untyped: no compiler sees its table or column names. Hot paths build their statements with
 * `prepared` instead; this remains for statements Kysely cannot express (documented where used).
 */
export function sqlRows<R>(
  em: EntityManager,
  text: string,
  values: readonly unknown[] = [],
  /** `read`: the ORM's read replica when one is configured (outside a transaction). */
  connection: 'read' | 'write' = 'write',
): Promise<R[]> {
  return executePrepared<R>(em, text, values, connection);
}

/**
 * Statements that answer nothing the caller needs (blind writes), run through `em` in one round
 * trip: one query of several statements, values inlined as literals (such a query cannot bind
 * parameters), so Postgres parses them on every call. Inside a transaction they are part of it;
 * outside, the query is one transaction of its own. Build them with `statementOf` of a
 * `prepared` query. Errors as `runPrepared` throws them.
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
