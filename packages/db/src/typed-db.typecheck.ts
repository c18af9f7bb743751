// Compile-time checks of the typed query layer, run by `pnpm typecheck` (never executed): each
// `@ts-expect-error` fails the type check if the line below it compiles, i.e. if the typed layer
// stopped catching a wrong table or column.
import { prepared } from './typed-query.ts';

prepared((db, p: { id: string }) =>
  db
    .selectFrom('rental')
    // @ts-expect-error: `rental` has no column `late_fee`; the entity's column is `late_fee_amount`.
    .select(['id', 'late_fee'])
    .where('id', '=', p.id),
);

prepared((db, p: { id: string }) =>
  db
    .updateTable('wallet')
    // @ts-expect-error: a wallet's balance is a number (bigint minor units), not text.
    .set({ balance: 'ten' })
    .where('user_id', '=', p.id),
);

// @ts-expect-error: the users table is `users` (the entity's `tableName`), not the class name.
prepared((db) => db.selectFrom('user').select('id'));

// The right names compile, with the row typed from the entity.
const lateFee = prepared((db, p: { id: string }) =>
  db.selectFrom('rental').select(['id', 'late_fee_amount']).where('id', '=', p.id),
);
export type LateFeeRow = typeof lateFee.row;
const check: LateFeeRow['late_fee_amount'] = 5;
void check;

// The renamed tables exist under the names Postgres knows them by.
prepared((db) => db.selectFrom('oauth_account').select('id'));
prepared((db) => db.selectFrom('transactions').select(['id', 'wallet_amount']));
prepared((db) => db.selectFrom('users').select('id'));

// JSON columns are columns (MikroORM's own inference drops them).
prepared((db) => db.selectFrom('app_config').select(['key', 'value']));
prepared((db) => db.selectFrom('transactions').select(['metadata', 'rental_id', 'user_id']));

// The shapes the engagement and station queries use check their columns too: a lateral join's
// subquery, a recursive CTE, an insert fed by a CTE's rows, an aggregate's filter.
prepared((db) =>
  db
    .selectFrom('station as s')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('station_slot as ss')
          // @ts-expect-error: a slot's charge is `battery_level`, not `battery`.
          .select('ss.battery')
          .whereRef('ss.station_id', '=', 's.id')
          .as('c'),
      (join) => join.onTrue(),
    )
    .select('s.serial_number'),
);
prepared((db, p: { id: string }) =>
  db
    .withRecursive('chain(id, depth)', (qc) =>
      qc
        .selectFrom('referral')
        .select(['inviter_id as id', 'invitee_id as depth'])
        .where('id', '=', p.id)
        .unionAll((rc) =>
          rc
            .selectFrom('chain')
            // @ts-expect-error: the recursive step joins on `chain`'s columns, and it has no `user_id`.
            .innerJoin('referral as r', 'r.invitee_id', 'chain.user_id')
            .select(['r.inviter_id as id', 'r.invitee_id as depth']),
        ),
    )
    .selectFrom('chain')
    .select('id'),
);
prepared((db) =>
  db
    .with('unlocked', (qc) => qc.selectFrom('user_achievement').select(['user_id', 'achievement_id']))
    .insertInto('notification')
    // @ts-expect-error: a notification has no `achievement_id` column.
    .columns(['user_id', 'achievement_id'])
    .expression((eb) => eb.selectFrom('unlocked').select(['user_id', 'achievement_id'])),
);
prepared((db) =>
  db
    .selectFrom('rental')
    // @ts-expect-error: an aggregate's filter names real columns (`returned_at`, not `returned`).
    .select((eb) => eb.fn.countAll().filterWhereRef('returned', '<=', 'due_at').as('timely')),
);
