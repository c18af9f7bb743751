import type { EntityManager } from '@mikro-orm/postgresql';
import { prepared, queryBuilder, runPrepared } from '@powerbank/db';
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

/** The customer's plans live at `at` (active, within the paid period) that give a discount. */
export const livePlansQuery = (customerId: string, at: Date) =>
  queryBuilder
    .selectFrom('user_subscription as s')
    .innerJoin('subscription_plan as p', 'p.id', 's.plan_id')
    .select(['p.discount_pct', 'p.included_products'])
    .where('s.user_id', '=', customerId)
    .where('s.status', '=', 'active')
    .where('s.starts_at', '<=', at)
    .where('s.ends_at', '>', at)
    .where('p.discount_pct', '>', 0);

const LIVE_PLANS = prepared((_db, p: { customerId: string; at: Date }) => livePlansQuery(p.customerId, p.at));

/** A live plan as `livePlansQuery` answers it. */
export interface LivePlan {
  /** An integer column: a number, or its text from a jsonb row. */
  discount_pct: number | string;
  included_products: unknown;
}

/**
 * The best percentage of `plans` that include the product (by id, or its category or an ancestor
 * by slug); the category trail is read only when there is a plan to check it against.
 */
export async function percentOfPlans(
  em: EntityManager,
  plans: readonly LivePlan[],
  product: { id: string; categoryId: number },
): Promise<number> {
  if (plans.length === 0) return 0;
  const trail = await categoryTrail(em, product.categoryId);
  return plans.reduce(
    (best, plan) =>
      planCovers(plan.included_products as string[], product.id, trail)
        ? Math.max(best, Number(plan.discount_pct))
        : best,
    0,
  );
}

/**
 * The subscription percentage `priceRental` takes off a customer's order of a product: the best
 * of the customer's live plans that include the product. 0 without a customer or a plan — one
 * indexed read on the common path. (The checkout reads the plans in its one read, `CHECKOUT_READ`.)
 */
export async function subscriptionPercent(
  em: EntityManager,
  customerId: string | null,
  product: { id: string; categoryId: number },
  at = new Date(),
): Promise<number> {
  if (!customerId) return 0;
  return percentOfPlans(em, await runPrepared(em, LIVE_PLANS, { customerId, at }), product);
}
