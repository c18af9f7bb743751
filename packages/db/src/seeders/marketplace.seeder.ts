import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import type { PRICING_UNITS } from '../entities/enums.ts';
import { Category, InventoryItem, Product, ProductAsset, SubscriptionPlan, User } from '../entities/index.ts';
import { mustGet, seedMissing } from './support/seed-missing.ts';
import { DEMO_SELLER_PHONE } from './users.seeder.ts';

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
  },
  {
    sku: 'CAM-DRONE',
    title: 'Compact drone',
    category: 'cameras',
    basePrice: 6000,
    pricingUnit: 'day',
    units: 2,
    popularityScore: 65,
  },
  {
    sku: 'AUD-SPK',
    title: 'Party speaker',
    category: 'audio',
    basePrice: 2500,
    pricingUnit: 'day',
    units: 4,
    popularityScore: 55,
  },
  {
    sku: 'PWR-1000',
    title: 'Portable power station 1000 Wh',
    category: 'power-stations',
    basePrice: 3500,
    pricingUnit: 'day',
    units: 3,
    popularityScore: 90,
  },
  {
    sku: 'CMP-TENT4',
    title: '4-person tent',
    category: 'camping',
    basePrice: 9000,
    pricingUnit: 'week',
    units: 2,
    popularityScore: 40,
  },
  {
    sku: 'BIK-EBIKE',
    title: 'City e-bike',
    category: 'bikes',
    basePrice: 1200,
    pricingUnit: 'hour',
    units: 4,
    popularityScore: 70,
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
          seller,
          category: mustGet(categories, p.category),
          title: p.title,
          description: `${p.title}, cleaned and tested after every rental.`,
          basePrice: p.basePrice,
          currency: 'USD',
          pricingUnit: p.pricingUnit,
          popularityScore: p.popularityScore,
        },
      })),
      (p) => p.title,
      { seller },
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
      { product: { seller } },
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
    await seedMissing(
      em,
      SubscriptionPlan,
      PLANS.map((plan) => ({ key: plan.name, data: { ...plan, currency: 'USD' } })),
      (plan) => plan.name,
    );
    await em.flush();
  }
}
