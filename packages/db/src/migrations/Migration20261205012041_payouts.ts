import { Migration } from '@mikro-orm/migrations';

// Generated, then edited: a down() without the generator's partition noise (it does not see the
// hand-written monthly partitions). Seller balances and payouts; subscriptions' renewal columns.
export class Migration20261205012041_payouts extends Migration {
  override name = 'Migration20261205012041_payouts';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "seller_payout" ("id" uuid not null, "seller_id" uuid not null, "amount" bigint not null, "currency" varchar(3) not null default 'USD', "status" text not null default 'requested', "idempotency_key" varchar(128) not null, "decided_by_id" uuid null, "decided_at" timestamptz null, "note" varchar(255) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "seller_payout" add constraint "seller_payout_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "seller_payout_seller_id_created_at_index" on "seller_payout" ("seller_id", "created_at");`,
    );
    this.addSql(
      `create index "seller_payout_status_created_at_index" on "seller_payout" ("status", "created_at");`,
    );
    this.addSql(`create index "seller_payout_decided_by_id_index" on "seller_payout" ("decided_by_id");`);

    this.addSql(
      `create table "seller_account" ("id" uuid not null, "user_id" uuid not null, "balance" bigint not null default '0', "currency" varchar(3) not null default 'USD', "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "seller_account" add constraint "seller_account_user_id_unique" unique ("user_id");`,
    );

    this.addSql(
      `create table "seller_account_entry" ("id" uuid not null, "account_id" uuid not null, "user_id" uuid not null, "type" text not null, "amount" bigint not null, "balance_after" bigint not null, "currency" varchar(3) not null default 'USD', "reference_type" varchar(40) null, "reference_id" varchar(64) null, "idempotency_key" varchar(128) not null, "description" varchar(255) null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "seller_account_entry_account_id_index" on "seller_account_entry" ("account_id");`,
    );
    this.addSql(
      `alter table "seller_account_entry" add constraint "seller_account_entry_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "seller_account_entry_user_id_created_at_index" on "seller_account_entry" ("user_id", "created_at");`,
    );
    this.addSql(
      `create index "seller_account_entry_reference_type_reference_id_index" on "seller_account_entry" ("reference_type", "reference_id");`,
    );

    this.addSql(`alter table "transactions" drop constraint "transactions_type_check";`);
    this.addSql(
      `alter table "transactions" add constraint "transactions_type_check" check ("type" in ('topup', 'rental', 'extension', 'due', 'fine', 'refund', 'order', 'invoice', 'subscription'));`,
    );

    this.addSql(`alter table "points_transaction" drop constraint "points_transaction_type_check";`);
    this.addSql(
      `alter table "points_transaction" add constraint "points_transaction_type_check" check ("type" in ('signup_bonus', 'profile_bonus', 'kyc_bonus', 'topup_reward', 'rental_payment', 'rental_reward', 'timely_return', 'referral', 'coupon', 'achievement', 'refund', 'adjustment', 'order_payment', 'subscription'));`,
    );

    this.addSql(
      `alter table "user_subscription" add "period" int not null default 1, add "payment_mode" text not null default 'wallet', add "cancel_at_period_end" boolean not null default false, add "renewal_attempts" int not null default 0, add "next_attempt_at" timestamptz null, add "idempotency_key" varchar(128) null;`,
    );
    this.addSql(
      `alter table "user_subscription" add constraint "user_subscription_idempotency_key_unique" unique ("idempotency_key");`,
    );
    this.addSql(
      `create index "user_subscription_status_next_attempt_at_index" on "user_subscription" ("status", "next_attempt_at");`,
    );
    this.addSql(
      `create unique index "user_subscription_one_active_per_plan" on "user_subscription" ("user_id", "plan_id") where status = 'active';`,
    );
    this.addSql(
      `alter table "user_subscription" add constraint "user_subscription_counts" check (period >= 1 and renewal_attempts >= 0);`,
    );
    this.addSql(
      `alter table "user_subscription" add constraint "user_subscription_payment_mode_check" check ("payment_mode" in ('wallet', 'points', 'wallet_points', 'split'));`,
    );

    this.addSql(`alter table "wallet_transaction" drop constraint "wallet_transaction_type_check";`);
    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_transaction_type_check" check ("type" in ('topup', 'rental_charge', 'extension', 'fine', 'due_payment', 'refund', 'bonus', 'coupon', 'adjustment', 'hold', 'hold_release', 'order_payment', 'subscription'));`,
    );

    this.addSql(
      `alter table "seller_payout" add constraint "seller_payout_seller_id_foreign" foreign key ("seller_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "seller_payout" add constraint "seller_payout_decided_by_id_foreign" foreign key ("decided_by_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "seller_payout" add constraint "seller_payout_amount_positive" check (amount > 0);`,
    );
    this.addSql(
      `alter table "seller_payout" add constraint "seller_payout_status_check" check ("status" in ('requested', 'approved', 'rejected'));`,
    );

    this.addSql(
      `alter table "seller_account" add constraint "seller_account_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "seller_account" add constraint "seller_account_balance_non_negative" check (balance >= 0);`,
    );

    this.addSql(
      `alter table "seller_account_entry" add constraint "seller_account_entry_account_id_foreign" foreign key ("account_id") references "seller_account" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "seller_account_entry" add constraint "seller_account_entry_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete restrict;`,
    );
    this.addSql(
      `alter table "seller_account_entry" add constraint "seller_entry_amount_non_zero" check (amount <> 0);`,
    );
    this.addSql(
      `alter table "seller_account_entry" add constraint "seller_entry_balance_after_non_negative" check (balance_after >= 0);`,
    );
    this.addSql(
      `alter table "seller_account_entry" add constraint "seller_account_entry_type_check" check ("type" in ('order_revenue', 'commission', 'payout', 'payout_reversal', 'adjustment'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "seller_account_entry" drop constraint "seller_account_entry_account_id_foreign";`,
    );

    this.addSql(`drop table if exists "seller_payout" cascade;`);
    this.addSql(`drop table if exists "seller_account" cascade;`);
    this.addSql(`drop table if exists "seller_account_entry" cascade;`);

    this.addSql(`alter table "points_transaction" drop constraint "points_transaction_type_check";`);
    this.addSql(
      `alter table "points_transaction" add constraint "points_transaction_type_check" check ("type" in ('signup_bonus', 'profile_bonus', 'kyc_bonus', 'topup_reward', 'rental_payment', 'rental_reward', 'timely_return', 'referral', 'coupon', 'achievement', 'refund', 'adjustment', 'order_payment'));`,
    );

    this.addSql(`alter table "transactions" drop constraint "transactions_type_check";`);
    this.addSql(
      `alter table "transactions" add constraint "transactions_type_check" check ("type" in ('topup', 'rental', 'extension', 'due', 'fine', 'refund', 'order', 'invoice'));`,
    );

    this.addSql(
      `alter table "user_subscription" drop constraint "user_subscription_idempotency_key_unique";`,
    );
    this.addSql(`drop index "user_subscription_status_next_attempt_at_index";`);
    this.addSql(`drop index "user_subscription_one_active_per_plan";`);
    this.addSql(`alter table "user_subscription" drop constraint "user_subscription_counts";`);
    this.addSql(`alter table "user_subscription" drop constraint "user_subscription_payment_mode_check";`);
    this.addSql(
      `alter table "user_subscription" drop column "period", drop column "payment_mode", drop column "cancel_at_period_end", drop column "renewal_attempts", drop column "next_attempt_at", drop column "idempotency_key";`,
    );

    this.addSql(`alter table "wallet_transaction" drop constraint "wallet_transaction_type_check";`);
    this.addSql(
      `alter table "wallet_transaction" add constraint "wallet_transaction_type_check" check ("type" in ('topup', 'rental_charge', 'extension', 'fine', 'due_payment', 'refund', 'bonus', 'coupon', 'adjustment', 'hold', 'hold_release', 'order_payment'));`,
    );
  }
}
