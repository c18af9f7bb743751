import { randomUUID } from 'node:crypto';
import { Category, InventoryItem, Product, User, UserRole } from '@powerbank/db';
import { aCrowd, type CrowdMember } from '../../testing/crowd.ts';
import type { TestApi } from '../../testing/test-app.ts';

/** `n` signed-in users with `wallet` minor units and `points` (rows as a registration and a top-up leave them). */
export async function funded(api: TestApi, n: number, wallet = 100_000, points = 0): Promise<CrowdMember[]> {
  const crowd = aCrowd(n, { wallet, points });
  await api.deps.orm.em.fork().transactional(async (tem) => {
    for (const statement of crowd.statements) await tem.execute(statement);
  });
  return crowd.users;
}

/** A user an admin approved as a seller. */
export async function aSeller(api: TestApi): Promise<CrowdMember> {
  const [seller] = await funded(api, 1, 0);
  if (!seller) throw new Error('no seller');
  const em = api.deps.orm.em.fork();
  em.create(UserRole, { user: em.getReference(User, seller.userId), role: 'seller', approvedAt: new Date() });
  await em.flush();
  return seller;
}

/** electronics › cameras › drones, with unique slugs per call. */
export async function aCategoryTree(api: TestApi) {
  const tag = randomUUID().slice(0, 8);
  const em = api.deps.orm.em.fork();
  const root = em.create(Category, { name: 'Electronics', slug: `electronics-${tag}` });
  const cameras = em.create(Category, { name: 'Cameras', slug: `cameras-${tag}`, parent: root });
  const drones = em.create(Category, { name: 'Drones', slug: `drones-${tag}`, parent: cameras });
  await em.flush();
  return { root, cameras, drones };
}

/** A product of `sellerId` with `items` inventory items. */
export async function aProduct(
  api: TestApi,
  sellerId: string,
  category: Category,
  over: Partial<
    Pick<
      Product,
      'title' | 'description' | 'basePrice' | 'deposit' | 'pricingUnit' | 'city' | 'latitude' | 'longitude'
    >
  > = {},
  items = 1,
) {
  const em = api.deps.orm.em.fork();
  const product = em.create(Product, {
    seller: em.getReference(User, sellerId),
    category: em.getReference(Category, category.id),
    title: 'Mirrorless camera kit',
    description: 'Body, two lenses and a charger',
    basePrice: 4500,
    deposit: 10_000,
    pricingUnit: 'day',
    ...over,
  });
  const itemIds: string[] = [];
  for (let i = 0; i < items; i++) {
    itemIds.push(em.create(InventoryItem, { product, sku: `SKU-${randomUUID()}` }).id);
  }
  await em.flush();
  return { id: product.id, itemIds };
}

const DAY = 86_400_000;
/** A period `fromDays`..`toDays` days from now (whole days from the next midnight UTC). */
export function period(fromDays: number, toDays: number) {
  const base = Math.ceil(Date.now() / DAY) * DAY + 10 * DAY;
  return { start: new Date(base + fromDays * DAY), end: new Date(base + toDays * DAY) };
}
