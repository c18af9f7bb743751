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
