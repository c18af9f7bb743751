import { Migration } from '@mikro-orm/migrations';

/**
 * The top-up methods every deployment has, so a production database gets them
 * from its migrations rather than from the demo seeder. A method is offered only
 * where its gateway runs: the sandbox where SANDBOX_GATEWAY_ENABLED, Stripe where
 * its keys are configured. Rows already there (a seeded database) are kept as they are.
 */
export class Migration20261204222600_base_payment_methods extends Migration {
  override name = 'Migration20261204222600_base_payment_methods';

  override up(): void | Promise<void> {
    this.addSql(
      `insert into "payment_method" ("code", "name", "gateway", "min_amount", "max_amount", "currency", "sort_order", "created_at", "updated_at")
       values ('sandbox_card', 'Card (sandbox)', 'sandbox', 100, 100000, 'USD', 1, now(), now()),
              ('stripe_card', 'Card', 'stripe', 500, 100000, 'USD', 2, now(), now())
       on conflict ("code") do nothing;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "payment_method" where "code" in ('sandbox_card', 'stripe_card');`);
  }
}
