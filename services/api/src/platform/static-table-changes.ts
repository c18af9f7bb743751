import type {
  EntityManager,
  EventSubscriber,
  FlushEventArgs,
  MikroORM,
  TransactionEventArgs,
} from '@mikro-orm/postgresql';
import type { NatsConnection } from '@powerbank/messaging';
import type { Logger } from 'pino';
import { publishInvalidation } from './static-cache.ts';

/**
 * Publishes a cache invalidation for every static table a flush changed, once
 * the change is committed: right after a flush outside a transaction, or at the
 * commit of the surrounding transaction (a reader told earlier could reload the
 * old rows and keep them). Registered on the ORM, so any write through the
 * unit of work (`flush`) in this process invalidates every instance's cache.
 * Native writes (`nativeUpdate`, `upsert`, raw SQL) raise no flush events:
 * code that writes static tables that way calls `publishInvalidation` itself.
 */
export function publishStaticTableChanges(options: {
  orm: MikroORM;
  nats: NatsConnection;
  prefix: string;
  /** Table names whose changes matter, e.g. `['app_version']`. */
  tables: readonly string[];
  logger: Logger;
}): void {
  const watched = new Set(options.tables);
  const pending = new WeakMap<EntityManager, Set<string>>();

  const publish = (tables: Iterable<string>) => {
    for (const table of tables) {
      publishInvalidation(options.nats, options.prefix, table).catch((err: unknown) =>
        options.logger.warn({ err, table }, 'cache invalidation not published'),
      );
    }
  };

  const subscriber: EventSubscriber = {
    afterFlush(args: FlushEventArgs) {
      const changed = new Set<string>();
      for (const changeSet of args.uow.getChangeSets()) {
        const table = changeSet.meta.tableName;
        if (watched.has(table)) changed.add(table);
      }
      if (!changed.size) return;
      const em = args.em as EntityManager;
      if (!em.isInTransaction()) return publish(changed);
      const waiting = pending.get(em) ?? new Set<string>();
      for (const table of changed) waiting.add(table);
      pending.set(em, waiting);
    },
    afterTransactionCommit(args: TransactionEventArgs) {
      const em = args.em as EntityManager;
      const waiting = pending.get(em);
      if (!waiting) return;
      pending.delete(em);
      publish(waiting);
    },
    afterTransactionRollback(args: TransactionEventArgs) {
      pending.delete(args.em as EntityManager);
    },
  };
  options.orm.em.getEventManager().registerSubscriber(subscriber);
}
