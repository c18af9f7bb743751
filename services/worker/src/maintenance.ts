import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '@powerbank/db';

/** Months of partitions kept ready ahead of today, so an insert never lands in a default partition. */
export const PARTITION_MONTHS_AHEAD = 3;

/**
 * Creates the coming months' partitions of every monthly-partitioned table (`ensure_monthly_partitions`
 * is idempotent and moves rows a default partition caught into their month). Returns how many it made.
 */
export async function ensurePartitions(em: EntityManager): Promise<number> {
  const parents = await sqlRows<{ parent: string }>(
    em,
    `select c.relname as parent from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid
     join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() order by 1`,
  );
  let created = 0;
  for (const { parent } of parents) {
    const [row] = await sqlRows<{ n: number }>(em, 'select ensure_monthly_partitions($1, $2, 1) as n', [
      parent,
      PARTITION_MONTHS_AHEAD,
    ]);
    created += Number(row?.n ?? 0);
  }
  return created;
}

/** OTP challenges are counted for the hourly send limits; a day later they serve nothing. */
const OTP_RETENTION = '1 day';
/**
 * An open top-up intent is expired this long after its own expiry, not at once: a gateway's late
 * success webhook still finds it open (the api expires it on a status read, and cancels it then).
 */
const INTENT_GRACE = '1 hour';

/** Deletes spent OTP challenges and expires abandoned top-up intents. */
export async function expireStale(em: EntityManager): Promise<{ otps: number; intents: number }> {
  const otps = await sqlRows<{ id: string }>(
    em,
    `delete from otp_challenge where expires_at < now() - $1::interval returning id`,
    [OTP_RETENTION],
  );
  const intents = await sqlRows<{ id: string }>(
    em,
    `update payment_intent set status = 'expired', updated_at = now()
     where status in ('created', 'pending') and credited_at is null and expires_at < now() - $1::interval
     returning id`,
    [INTENT_GRACE],
  );
  return { otps: otps.length, intents: intents.length };
}
