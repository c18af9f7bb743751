/**
 * Reads that may go to the read replica (DATABASE_READ_URL): lag-tolerant ones only, whose answer
 * is allowed to be a moment old — analytics reports, the public catalogue (product pages, market
 * search), the leaderboard, station discovery (list and detail). Everything that must see its own
 * writes (a checkout's stock, a rental, a wallet), takes locks or feeds a cache that an
 * invalidation reloads (the static tables: a reload from a replica behind the write it was told
 * about would cache the old row until the next change) stays on the primary.
 *
 * Pass it where a read is chosen: `runPrepared(em, query, params, READ_REPLICA)`,
 * `sqlRows(em, text, values, READ_REPLICA)`,
 * `em.getConnection(READ_REPLICA)`, `em.getKysely({ type: READ_REPLICA })`,
 * `em.find(…, { connectionType: READ_REPLICA })`. Without DATABASE_READ_URL it is the primary.
 * Outside a transaction only: inside one, MikroORM runs every query on the transaction's connection.
 */
export const READ_REPLICA = 'read' as const;

/**
 * How a process's pool ceiling is split when it also reads from a replica: the replica's pool
 * comes out of the same DB_POOL_MAX (a third, at least one), so a process holds no more
 * connections in all than its share of the connection budget. Without a replica the primary has
 * them all.
 */
export function splitPool(max: number, hasReplica: boolean): { primary: number; replica: number } {
  if (!hasReplica) return { primary: max, replica: 0 };
  if (max < 2) return { primary: 1, replica: 1 };
  const replica = Math.max(1, Math.floor(max / 3));
  return { primary: max - replica, replica };
}
