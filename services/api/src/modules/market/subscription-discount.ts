import type { EntityManager } from '@mikro-orm/postgresql';
import { planCovers } from '@powerbank/domain';
import { marketDb } from './market-db.ts';

/** The slugs of a category and its ancestors (a plan on a parent category covers its subcategories). */
async function categoryTrail(em: EntityManager, categoryId: number): Promise<string[]> {
  const rows = await marketDb(em)
    .withRecursive('up(id, parent_id, slug)', (db) =>
      db
        .selectFrom('category')
        .select(['id', 'parent_id', 'slug'])
        .where('id', '=', categoryId)
        .unionAll((qb) =>
          qb
            .selectFrom('category as c')
            .innerJoin('up', 'up.parent_id', 'c.id')
            .select(['c.id', 'c.parent_id', 'c.slug']),
        ),
    )
    .selectFrom('up')
    .select('slug')
    .execute();
  return rows.map((r) => r.slug);
}

/**
 * The subscription percentage `priceRental` takes off a customer's order of a product: the best
 * of the customer's plans that are live now (active, within the paid period) and include the
 * product (by id, or its category or an ancestor by slug). 0 without a customer or a plan — one
 * indexed read on the common path; the category trail is read only when a plan might apply.
 */
export async function subscriptionPercent(
  em: EntityManager,
  customerId: string | null,
  product: { id: string; categoryId: number },
  at = new Date(),
): Promise<number> {
  if (!customerId) return 0;
  const plans = await marketDb(em)
    .selectFrom('user_subscription as s')
    .innerJoin('subscription_plan as p', 'p.id', 's.plan_id')
    .select(['p.discount_pct', 'p.included_products'])
    .where('s.user_id', '=', customerId)
    .where('s.status', '=', 'active')
    .where('s.starts_at', '<=', at)
    .where('s.ends_at', '>', at)
    .where('p.discount_pct', '>', 0)
    .execute();
  if (plans.length === 0) return 0;
  const trail = await categoryTrail(em, product.categoryId);
  return plans.reduce(
    (best, plan) =>
      planCovers(plan.included_products as string[], product.id, trail)
        ? Math.max(best, plan.discount_pct)
        : best,
    0,
  );
}
