import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import { prepared, runPrepared } from './typed-query.ts';

const XACT_LOCK = prepared((db, p: { key: string }) =>
  db.selectNoFrom(sql<unknown>`pg_advisory_xact_lock(hashtext(${p.key}))`.as('locked')),
);

/**
 * Waits for the transaction-scoped advisory lock named `key` (held until `em`'s transaction ends):
 * serialises a check-then-act over rows that do not exist yet, where no row lock can (a claim, a
 * recomputation). Must run inside a transaction: outside one the lock is released at once.
 */
export async function advisoryXactLock(em: EntityManager, key: string): Promise<void> {
  await runPrepared(em, XACT_LOCK, { key });
}
