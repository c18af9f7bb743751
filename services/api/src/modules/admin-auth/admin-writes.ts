import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DomainError } from '@powerbank/domain';
import type { Context } from '../../trpc/context.ts';
import type { AdminCaller } from './admin-action.ts';

/** The context of an admin procedure: the caller is known staff. */
export type AdminContext = Context & { admin: AdminCaller };

/**
 * Flushes a new row whose natural key (a serial, a code) must be unique: a taken key, also one
 * taken by a concurrent request a moment earlier, is 409 CONFLICT with `message`, not a 500.
 */
export async function flushNew(tx: EntityManager, message: string): Promise<void> {
  try {
    await tx.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new DomainError('CONFLICT', message);
    throw error;
  }
}
