/**
 * The raw side of `bench:market`'s checkouts: the statements one checkout sends, in order, as a
 * pgbench script (one pgbench transaction = one checkout), made from the service's compiled
 * queries (`CHECKOUT_READ`, `RESERVE_ORDER`) with `textWith`, never copied by hand. What the
 * service holds in memory (the product and customer it is asked for, the new rows' ids) the
 * script reads from `bench_market_pick` by a random key, one primary-key read per checkout.
 */
import { textWith } from '@powerbank/db';
import { MARKET_CONFIG_KEYS } from '@powerbank/market';
import { CHECKOUT_READ, RESERVE_ORDER } from '../../services/api/src/modules/market/checkout-queries.ts';

/** The table the script picks a product and a customer from (rows 1…n). */
export const MARKET_PICK_TABLE = 'bench_market_pick';

export function marketRawScript(pickRows: number): string {
  const start = `(timestamptz '2040-01-01' + :m * interval '1 minute')`;
  const end = `(timestamptz '2040-01-01' + :m * interval '1 minute' + interval '2 days')`;
  const item = `(':items'::uuid[])[1]`;
  const read = textWith(CHECKOUT_READ, {
    productId: `':product'`,
    customerId: `':customer'`,
    start,
    end,
    quantity: '1',
    at: 'now()',
    configKeys: `array[${MARKET_CONFIG_KEYS.map((k) => `'${k}'`).join(', ')}]`,
  });
  const reserve = textWith(RESERVE_ORDER, {
    orderId: `':ord'`,
    customerId: `':customer'`,
    sellerId: `':seller_id'`,
    status: `'reserved'`,
    totalAmount: '(:base_price * 2)',
    depositAmount: ':deposit',
    currency: `':currency'`,
    start,
    end,
    reservedUntil: `now() + interval '15 minutes'`,
    idempotencyKey: `':ord'`,
    productId: `':product'`,
    unitPrice: ':base_price',
    lineAmount: '(:base_price * 2)',
    lines: `jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'item', ${item}))`,
    invoiceId: `':inv'`,
    invoiceLines: `'[{"kind":"rent","label":"Rent","amount":2}]'`,
    dueDate: 'current_date',
    eventId: 'gen_random_uuid()',
    eventMetadata: `jsonb_build_object('orderId', ':ord', 'items', jsonb_build_array(${item}))`,
  });
  const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();
  return `\\set n random(1, ${pickRows})
\\set m random(1, 100000000)
select product, customer, gen_random_uuid() as ord, gen_random_uuid() as inv from ${MARKET_PICK_TABLE} where n = :n \\gset
begin;
${oneLine(read)} \\gset
${oneLine(reserve)};
commit;
`;
}
