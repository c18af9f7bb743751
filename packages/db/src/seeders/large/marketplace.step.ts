import type { ChunkedStep } from './chunked-step.ts';
import { hashMod, hashUnit, intLiteral, seqTimestamp, seqUuid } from './sql-expressions.ts';

/** Generated categories' slugs start with this: 10 roots, each with 10 children. */
export const LARGE_CATEGORY_PREFIX = 'lg-';
export const LARGE_ITEM_PREFIX = 'LGI-';
/** Products are sold by the first this-many generated users (fewer when there are fewer users). */
export const LARGE_SELLERS = 1000;

/** The vocabulary of generated titles (bench:market searches for these words). */
export const LARGE_PRODUCT_WORDS = [
  'camera',
  'drone',
  'speaker',
  'tent',
  'bike',
  'kayak',
  'projector',
  'lens',
  'tripod',
  'generator',
  'ladder',
  'drill',
  'guitar',
  'keyboard',
  'scooter',
  'telescope',
  'grill',
  'cooler',
  'backpack',
  'monitor',
];
const CITIES: [string, number, number][] = [
  ['San Francisco', 37.7749, -122.4194],
  ['Los Angeles', 34.0522, -118.2437],
  ['New York', 40.7128, -74.006],
  ['Chicago', 41.8781, -87.6298],
  ['Houston', 29.7604, -95.3698],
  ['Seattle', 47.6062, -122.3321],
  ['Denver', 39.7392, -104.9903],
  ['Boston', 42.3601, -71.0589],
  ['Miami', 25.7617, -80.1918],
  ['Austin', 30.2672, -97.7431],
];
const wordsArray = `(array[${LARGE_PRODUCT_WORDS.map((w) => `'${w}'`).join(', ')}])`;
const citiesValues = CITIES.map(([name, lat, lng], i) => `(${i}, '${name}', ${lat}, ${lng})`).join(', ');

const userId = (n: string) => seqUuid('user', n);
export const largeProductId = (n: string) => seqUuid('product', n);
const itemId = (k: string) => seqUuid('inventory_item', k);
const series = (first: number, last: number) =>
  `generate_series(${intLiteral(first)}, ${intLiteral(last)}) as n`;

export interface MarketSizes {
  products: number;
  items: number;
  orders: number;
  /** Generated users there are (sellers and customers are taken from them). */
  users: number;
}

const sellersOf = (sizes: MarketSizes) => Math.max(1, Math.min(LARGE_SELLERS, sizes.users));
/** The seller of product `n`: one of the first generated users. */
const sellerOf = (n: string, sizes: MarketSizes) => userId(`1 + (${n}) % ${sellersOf(sizes)}`);
/** Items are spread over products evenly: item k belongs to product ((k-1) % products) + 1. */
const productOfItem = (k: string, sizes: MarketSizes) => `(1 + ((${k}) - 1) % ${intLiteral(sizes.products)})`;

/** The category tree and the sellers' approved roles: small, written once. */
export function marketplaceSetup(sizes: MarketSizes): string[] {
  return [
    `insert into category (name, slug, parent_id, is_active, sort_order, created_at, updated_at)
select initcap(${wordsArray}[1 + r]) || ' & more', '${LARGE_CATEGORY_PREFIX}' || r, null, true, r, now(), now()
  from generate_series(0, 9) as r
    on conflict (slug) do nothing`,
    `insert into category (name, slug, parent_id, is_active, sort_order, created_at, updated_at)
select initcap(${wordsArray}[1 + (r * 10 + c) % 20]) || ' ' || c, '${LARGE_CATEGORY_PREFIX}' || r || '-' || c,
       (select id from category where slug = '${LARGE_CATEGORY_PREFIX}' || r), true, c, now(), now()
  from generate_series(0, 9) as r, generate_series(0, 9) as c
    on conflict (slug) do nothing`,
    `insert into user_role (id, user_id, role, description, approved_at, created_at)
select ${seqUuid('user_role', 'n')}, ${userId('n')}, 'seller', 'generated seller', now(), now()
  from generate_series(1, ${sellersOf(sizes)}) as n
    on conflict do nothing`,
  ];
}

/** Products numbered first..last: two words of a small vocabulary, a leaf category, a city, a price. */
export const productsStep = (sizes: MarketSizes): ChunkedStep => ({
  name: 'products',
  unit: 'products',
  statements: (first, last) => [
    `with leaf as (select id, row_number() over (order by slug) - 1 as i from category where slug like '${LARGE_CATEGORY_PREFIX}%-%'),
     city(i, name, lat, lng) as (values ${citiesValues})
insert into product (id, seller_id, category_id, title, description, base_price, currency, pricing_unit, deposit,
                     min_units, max_units, city, latitude, longitude, active, popularity_score, created_at, updated_at)
select ${largeProductId('n')}, ${sellerOf('n', sizes)}, leaf.id,
       ${wordsArray}[1 + ${hashMod('n', 1, 20)}] || ' ' || ${wordsArray}[1 + ${hashMod('n', 2, 20)}] || ' #' || n,
       'Well kept ' || ${wordsArray}[1 + ${hashMod('n', 3, 20)}] || ' for rent, with ' || ${wordsArray}[1 + ${hashMod('n', 4, 20)}],
       500 + ${hashMod('n', 5, 20000)}, 'USD',
       (array['hour', 'day', 'day', 'week'])[1 + ${hashMod('n', 6, 4)}], ${hashMod('n', 7, 20)} * 1000,
       1, null, city.name, city.lat + (${hashUnit('n', 8)} - 0.5) * 0.2, city.lng + (${hashUnit('n', 9)} - 0.5) * 0.2,
       true, ${hashMod('n', 10, 1000)}, ${seqTimestamp('n')}, ${seqTimestamp('n')}
  from ${series(first, last)}
  join leaf on leaf.i = ${hashMod('n', 11, 100)}
  join city on city.i = ${hashMod('n', 12, 10)}
    on conflict do nothing`,
  ],
  doneCheck: (last) =>
    `select exists (select 1 from product where id = ${largeProductId(intLiteral(last))}) as done`,
});

/** Inventory items numbered first..last, spread evenly over the products. */
export const itemsStep = (sizes: MarketSizes): ChunkedStep => ({
  name: 'inventory items',
  unit: 'items',
  statements: (first, last) => [
    `insert into inventory_item (id, product_id, sku, status, condition, created_at, updated_at)
select ${itemId('n')}, ${largeProductId(productOfItem('n', sizes))}, '${LARGE_ITEM_PREFIX}' || lpad(n::text, 8, '0'),
       'available', 'good', ${seqTimestamp('n')}, ${seqTimestamp('n')}
  from ${series(first, last)}
    on conflict do nothing`,
  ],
  doneCheck: (last) =>
    `select exists (select 1 from inventory_item where id = ${itemId(intLiteral(last))}) as done`,
});

/**
 * Past orders numbered first..last, completed, one line each: order o rents item ((o-1) % items)+1
 * for two days in round (o-1) / items (rounds 3 days apart, all in 2025), so no item is held twice
 * over overlapping periods and the exclusion constraint accepts every line.
 */
export const ordersStep = (sizes: MarketSizes): ChunkedStep => {
  const item = `(1 + (n - 1) % ${intLiteral(sizes.items)})`;
  const product = productOfItem(item, sizes);
  const start = `(timestamptz '2025-01-01T00:00:00Z' + ((n - 1) / ${intLiteral(sizes.items)}) * interval '3 days' + ${hashMod('n', 13, 24)} * interval '1 hour')`;
  return {
    name: 'past orders',
    unit: 'orders',
    statements: (first, last) => [
      `insert into rental_order (id, customer_id, seller_id, status, total_amount, deposit_amount, held_amount, currency,
                           start_ts, end_ts, created_at, updated_at)
select ${seqUuid('rental_order', 'n')}, ${userId(`1 + ${hashMod('n', 14, Math.max(1, sizes.users))}`)},
       ${sellerOf(product, sizes)}, 'completed', 1000 + ${hashMod('n', 15, 20000)}, 0, 0, 'USD',
       ${start}, ${start} + interval '2 days', ${start}, ${start}
  from ${series(first, last)}
    on conflict do nothing`,
      `insert into rental_order_item (id, order_id, product_id, inventory_item_id, quantity, unit_price, amount,
                                start_ts, end_ts, blocking, created_at)
select ${seqUuid('rental_order_item', 'n')}, ${seqUuid('rental_order', 'n')}, ${largeProductId(product)},
       ${itemId(item)}, 1, 500, 1000, ${start}, ${start} + interval '2 days', true, ${start}
  from ${series(first, last)}
    on conflict do nothing`,
    ],
    doneCheck: (last) =>
      `select exists (select 1 from rental_order_item where id = ${seqUuid('rental_order_item', intLiteral(last))}) as done`,
  };
};
