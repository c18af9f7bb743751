import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import type { PRICING_UNITS } from '../entities/enums.ts';
import {
  Category,
  InventoryItem,
  Invoice,
  Product,
  ProductAsset,
  RentalOrder,
  RentalOrderItem,
  SubscriptionPlan,
  User,
  Wallet,
} from '../entities/index.ts';
import { mustGet, seedMissing } from './support/seed-missing.ts';
import {
  DEMO_BOOKER_PHONE,
  DEMO_BOOKING_CHARGE,
  DEMO_OUTDOOR_SELLER_PHONE,
  DEMO_SELLER_PHONE,
} from './users.seeder.ts';

/** Two levels: parents first, so children can reference them. */
const CATEGORIES = [
  { slug: 'electronics', name: 'Electronics', parent: null },
  { slug: 'outdoor', name: 'Outdoor', parent: null },
  { slug: 'cameras', name: 'Cameras', parent: 'electronics' },
  { slug: 'audio', name: 'Audio', parent: 'electronics' },
  { slug: 'power-stations', name: 'Power stations', parent: 'electronics' },
  { slug: 'camping', name: 'Camping', parent: 'outdoor' },
  { slug: 'bikes', name: 'Bikes', parent: 'outdoor' },
] as const;

interface DemoProduct {
  sku: string;
  title: string;
  category: (typeof CATEGORIES)[number]['slug'];
  basePrice: number;
  pricingUnit: (typeof PRICING_UNITS)[number];
  units: number;
  popularityScore: number;
  /** Held per item on the renter's wallet. */
  deposit: number;
  /** Which demo seller lists it. */
  seller: 'gear' | 'outdoor';
}

const PRODUCTS: readonly DemoProduct[] = [
  {
    sku: 'CAM-A7',
    title: 'Mirrorless camera kit',
    category: 'cameras',
    basePrice: 4500,
    pricingUnit: 'day',
    units: 3,
    popularityScore: 80,
    deposit: 10000,
    seller: 'gear',
  },
  {
    sku: 'CAM-DRONE',
    title: 'Compact drone',
    category: 'cameras',
    basePrice: 6000,
    pricingUnit: 'day',
    units: 2,
    popularityScore: 65,
    deposit: 20000,
    seller: 'gear',
  },
  {
    sku: 'AUD-SPK',
    title: 'Party speaker',
    category: 'audio',
    basePrice: 2500,
    pricingUnit: 'day',
    units: 4,
    popularityScore: 55,
    deposit: 5000,
    seller: 'gear',
  },
  {
    sku: 'PWR-1000',
    title: 'Portable power station 1000 Wh',
    category: 'power-stations',
    basePrice: 3500,
    pricingUnit: 'day',
    units: 3,
    popularityScore: 90,
    deposit: 8000,
    seller: 'gear',
  },
  {
    sku: 'CMP-TENT4',
    title: '4-person tent',
    category: 'camping',
    basePrice: 9000,
    pricingUnit: 'week',
    units: 2,
    popularityScore: 40,
    deposit: 5000,
    seller: 'outdoor',
  },
  {
    sku: 'BIK-EBIKE',
    title: 'City e-bike',
    category: 'bikes',
    basePrice: 1200,
    pricingUnit: 'hour',
    units: 4,
    popularityScore: 70,
    deposit: 15000,
    seller: 'outdoor',
  },
];

const PLANS = [
  {
    name: 'Weekend Explorer',
    discountPct: 10,
    durationDays: 30,
    price: 999,
    includedProducts: ['camping', 'bikes'],
  },
  {
    name: 'Creator Pro',
    discountPct: 20,
    durationDays: 30,
    price: 2999,
    includedProducts: ['cameras', 'audio'],
  },
];

/** Marketplace catalogue of the demo seller (created by UsersSeeder): categories, products, assets, units, plans. */
export class MarketplaceSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    const seller = await em.findOneOrFail(User, { phone: DEMO_SELLER_PHONE });
    const sellers = {
      gear: seller,
      outdoor: await em.findOneOrFail(User, { phone: DEMO_OUTDOOR_SELLER_PHONE }),
    };

    const categories = await seedMissing(em, Category, [], (c) => c.slug);
    for (const { slug, name, parent } of CATEGORIES) {
      if (categories.has(slug)) continue;
      const sortOrder = CATEGORIES.findIndex((c) => c.slug === slug);
      categories.set(
        slug,
        em.create(Category, { slug, name, sortOrder, parent: parent ? mustGet(categories, parent) : null }),
      );
    }

    const products = await seedMissing(
      em,
      Product,
      PRODUCTS.map((p) => ({
        key: p.title,
        data: {
          seller: sellers[p.seller],
          category: mustGet(categories, p.category),
          title: p.title,
          description: `${p.title}, cleaned and tested after every rental.`,
          basePrice: p.basePrice,
          currency: 'USD',
          pricingUnit: p.pricingUnit,
          popularityScore: p.popularityScore,
          deposit: p.deposit,
          city: 'San Francisco',
          latitude: 37.7749,
          longitude: -122.4194,
        },
      })),
      (p) => p.title,
      { seller: { $in: Object.values(sellers) } },
    );
    await em.flush();

    await seedMissing(
      em,
      ProductAsset,
      PRODUCTS.flatMap((p) =>
        ['front', 'detail'].map((view, sortOrder) => {
          const url = `https://cdn.example.com/products/${p.sku.toLowerCase()}-${view}.webp`;
          return {
            key: url,
            data: { product: mustGet(products, p.title), assetType: 'image' as const, url, sortOrder },
          };
        }),
      ),
      (asset) => asset.url,
      { product: { seller: { $in: Object.values(sellers) } } },
    );
    await seedMissing(
      em,
      InventoryItem,
      PRODUCTS.flatMap((p) =>
        Array.from({ length: p.units }, (_, i) => {
          const sku = `DEMO-${p.sku}-${String(i + 1).padStart(2, '0')}`;
          return { key: sku, data: { product: mustGet(products, p.title), sku, condition: 'good' } };
        }),
      ),
      (item) => item.sku,
      { sku: { $like: 'DEMO-%' } },
    );
    await em.flush();
    await seedDemoBooking(em, mustGet(products, 'Mirrorless camera kit'));
    await seedMissing(
      em,
      SubscriptionPlan,
      PLANS.map((plan) => ({ key: plan.name, data: { ...plan, currency: 'USD' } })),
      (plan) => plan.name,
    );
    await em.flush();
  }
}

const DAY = 86_400_000;
const BOOKING_KEY = 'seed:demo:market-booking';

/**
 * A booked period, so the catalogue shows one: Bob has the first camera kit for two days from
 * next week's start (his wallet's seeded `order_payment` paid it; the deposit is held). The
 * other kits, and this one outside those days, are free.
 */
async function seedDemoBooking(em: EntityManager, camera: Product): Promise<void> {
  if (await em.count(RentalOrder, { idempotencyKey: BOOKING_KEY })) return;
  const booker = await em.findOneOrFail(User, { phone: DEMO_BOOKER_PHONE });
  const item = await em.findOneOrFail(InventoryItem, { product: camera, sku: 'DEMO-CAM-A7-01' });
  const start = new Date(Math.ceil(Date.now() / DAY) * DAY + 7 * DAY);
  const end = new Date(start.getTime() + 2 * DAY);
  const deposit = Number(camera.deposit);
  const order = em.create(RentalOrder, {
    customer: booker,
    seller: camera.seller,
    status: 'confirmed',
    totalAmount: DEMO_BOOKING_CHARGE,
    depositAmount: deposit,
    heldAmount: deposit,
    startTs: start,
    endTs: end,
    idempotencyKey: BOOKING_KEY,
  });
  em.create(RentalOrderItem, {
    order,
    product: camera,
    inventoryItem: item,
    unitPrice: Number(camera.basePrice),
    amount: DEMO_BOOKING_CHARGE,
    startTs: start,
    endTs: end,
  });
  em.create(Invoice, {
    order,
    lines: [
      { kind: 'rent', label: '1 × 2 day(s)', amount: DEMO_BOOKING_CHARGE },
      { kind: 'deposit', label: 'Deposit (held)', amount: deposit },
    ],
    amountDue: DEMO_BOOKING_CHARGE,
    amountPaid: DEMO_BOOKING_CHARGE,
    status: 'paid',
    dueDate: start.toISOString().slice(0, 10),
  });
  const wallet = await em.findOneOrFail(Wallet, { user: booker });
  wallet.held = Number(wallet.held) + deposit;
  await em.flush();
}
