import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Category,
  InventoryItem,
  MediaUpload,
  Product,
  ProductAsset,
  READ_REPLICA,
  User,
} from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import { marketEvent } from '@powerbank/market';
import type { StaticCache } from '../../platform/static-cache.ts';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import type {
  CategoryOutput,
  ItemOutput,
  ProductCreateInput,
  ProductOutput,
  ProductUpdateInput,
} from './market.schemas.ts';

// ── categories: a small static table, read whole through the cache, walked in memory ──

const categoryOutput = (c: Category): CategoryOutput => ({
  id: c.id,
  name: c.name,
  slug: c.slug,
  parent_id: c.parent?.id ?? null,
  sort_order: c.sortOrder,
});

/** Every active category, parents before children (tree order by sort order). */
export function allCategories(em: EntityManager, cache: StaticCache): Promise<CategoryOutput[]> {
  return cache.get(STATIC_TABLES.category, 'all', async () => {
    const rows = await em.find(Category, { isActive: true }, { orderBy: { sortOrder: 'asc', id: 'asc' } });
    return treeOrder(rows.map(categoryOutput));
  });
}

function treeOrder(all: CategoryOutput[]): CategoryOutput[] {
  const out: CategoryOutput[] = [];
  const visit = (parent: number | null) => {
    for (const c of all.filter((x) => x.parent_id === parent)) {
      out.push(c);
      visit(c.id);
    }
  };
  visit(null);
  return out;
}

/** The category and every descendant (a product in a subcategory shows under its ancestors). */
export function subtreeOf(all: CategoryOutput[], root: CategoryOutput): CategoryOutput[] {
  const ids = new Set([root.id]);
  // Tree order puts parents first, so one pass collects every descendant.
  return all.filter((c) => {
    if (c.id === root.id) return true;
    if (c.parent_id !== null && ids.has(c.parent_id)) {
      ids.add(c.id);
      return true;
    }
    return false;
  });
}

/** Each cached category list's slugs, indexed once per list (the cache hands the same list until it changes). */
const slugIndexes = new WeakMap<CategoryOutput[], Map<string, CategoryOutput>>();

/** The active category with this slug (a search's subtree filter needs only its id): no tree walk. */
export async function categoryWithSlug(em: EntityManager, cache: StaticCache, slug: string) {
  const all = await allCategories(em, cache);
  let bySlug = slugIndexes.get(all);
  if (!bySlug) {
    bySlug = new Map(all.map((c) => [c.slug, c]));
    slugIndexes.set(all, bySlug);
  }
  const category = bySlug.get(slug);
  if (!category) throw new DomainError('NOT_FOUND', 'no such category');
  return category;
}

export async function categoryBySlug(em: EntityManager, cache: StaticCache, slug: string) {
  const category = await categoryWithSlug(em, cache, slug);
  const all = await allCategories(em, cache);
  const byId = new Map(all.map((c) => [c.id, c]));
  const breadcrumbs: CategoryOutput[] = [];
  for (let c: CategoryOutput | undefined = category; c; c = c.parent_id ? byId.get(c.parent_id) : undefined) {
    breadcrumbs.unshift(c);
  }
  return { category, breadcrumbs, subtree: subtreeOf(all, category) };
}

// ── products ──

export const productOutput = (p: Product): ProductOutput => ({
  id: p.id,
  seller_id: p.seller.id,
  category_id: p.category.id,
  title: p.title,
  description: p.description ?? null,
  base_price: Number(p.basePrice),
  deposit: Number(p.deposit),
  currency: p.currency,
  pricing_unit: p.pricingUnit,
  min_units: p.minUnits,
  max_units: p.maxUnits ?? null,
  city: p.city ?? null,
  latitude: p.latitude == null ? null : Number(p.latitude),
  longitude: p.longitude == null ? null : Number(p.longitude),
  active: p.active,
  popularity_score: p.popularityScore,
  created_at: p.createdAt,
});

/**
 * A product anyone may see: active ones only. DRM-protected assets carry no address here. From the
 * read replica when there is one (the public catalogue: a change shows a moment later).
 */
export async function publicProduct(em: EntityManager, id: string) {
  const connectionType = READ_REPLICA;
  const product = await em.findOne(Product, { id, active: true }, { connectionType });
  if (!product) throw new DomainError('NOT_FOUND', 'no such product');
  const [assets, itemsTotal] = await Promise.all([
    em.find(
      ProductAsset,
      { product: id },
      { orderBy: { sortOrder: 'asc', createdAt: 'asc' }, connectionType },
    ),
    em.count(InventoryItem, { product: id, status: 'available' }, { connectionType }),
  ]);
  return {
    ...productOutput(product),
    assets: assets.map((a) => ({
      id: a.id,
      asset_type: a.assetType,
      url: a.drmProtected ? `/api/market/assets/${a.id}/url` : a.url,
      drm_protected: a.drmProtected,
      sort_order: a.sortOrder,
    })),
    items_total: itemsTotal,
  };
}

/** The seller's own product, locked for the change; another seller's is 404, as if it did not exist. */
export async function ownProduct(em: EntityManager, sellerId: string, id: string): Promise<Product> {
  const product = await em.findOne(Product, { id, seller: sellerId });
  if (!product) throw new DomainError('NOT_FOUND', 'no such product');
  return product;
}

async function activeCategory(em: EntityManager, id: number): Promise<Category> {
  const category = await em.findOne(Category, { id, isActive: true });
  if (!category) throw new DomainError('NOT_FOUND', 'no such category');
  return category;
}

function checkPeriodLimits(minUnits: number, maxUnits: number | null | undefined): void {
  if (maxUnits != null && maxUnits < minUnits) {
    throw new DomainError('VALIDATION_FAILED', 'max_units must be at least min_units');
  }
}

/** The product's own columns from a create or update input (absent fields stay absent). */
const productFields = (input: Partial<ProductCreateInput>) => ({
  title: input.title,
  description: input.description,
  basePrice: input.base_price,
  deposit: input.deposit,
  pricingUnit: input.pricing_unit,
  minUnits: input.min_units,
  maxUnits: input.max_units,
  city: input.city,
  latitude: input.latitude,
  longitude: input.longitude,
  active: input.active,
});

export async function createProduct(em: EntityManager, sellerId: string, input: ProductCreateInput) {
  checkPeriodLimits(input.min_units, input.max_units);
  const product = em.create(Product, {
    ...productFields(input),
    seller: em.getReference(User, sellerId),
    category: await activeCategory(em, input.category_id),
    title: input.title,
    basePrice: input.base_price,
  });
  marketEvent(em, 'product.created', { userId: sellerId, productId: product.id });
  await em.flush();
  return productOutput(product);
}

export async function updateProduct(em: EntityManager, sellerId: string, input: ProductUpdateInput) {
  const product = await ownProduct(em, sellerId, input.id);
  if (input.category_id !== undefined) product.category = await activeCategory(em, input.category_id);
  const changed = Object.fromEntries(Object.entries(productFields(input)).filter(([, v]) => v !== undefined));
  em.assign(product, changed);
  checkPeriodLimits(product.minUnits, product.maxUnits);
  marketEvent(
    em,
    'product.updated',
    { userId: sellerId, productId: product.id },
    { fields: Object.keys(changed) },
  );
  await em.flush();
  return productOutput(product);
}

/** Products keep their order history: "delete" takes a product off the catalogue (inactive). */
export async function deactivateProduct(em: EntityManager, sellerId: string, id: string) {
  const product = await ownProduct(em, sellerId, id);
  product.active = false;
  marketEvent(em, 'product.deactivated', { userId: sellerId, productId: id });
  await em.flush();
  return productOutput(product);
}

export async function sellerProducts(em: EntityManager, sellerId: string) {
  const rows = await em.find(Product, { seller: sellerId }, { orderBy: { createdAt: 'desc' }, limit: 500 });
  return { results: rows.map(productOutput) };
}

// ── inventory items ──

const itemOutput = (i: InventoryItem): ItemOutput => ({
  id: i.id,
  product_id: i.product.id,
  sku: i.sku,
  status: i.status,
  condition: i.condition ?? null,
});

export async function addItem(
  em: EntityManager,
  sellerId: string,
  input: { product_id: string; sku: string; condition: string | null; status: InventoryItem['status'] },
) {
  const product = await ownProduct(em, sellerId, input.product_id);
  const item = em.create(InventoryItem, {
    product,
    sku: input.sku,
    condition: input.condition,
    status: input.status,
  });
  marketEvent(
    em,
    'item.created',
    { userId: sellerId, productId: product.id },
    { itemId: item.id, sku: input.sku },
  );
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new DomainError('CONFLICT', 'an item with this SKU exists already');
    }
    throw error;
  }
  return itemOutput(item);
}

export async function updateItem(
  em: EntityManager,
  sellerId: string,
  input: { id: string; condition?: string | null; status?: InventoryItem['status'] },
) {
  const item = await em.findOne(InventoryItem, { id: input.id, product: { seller: sellerId } });
  if (!item) throw new DomainError('NOT_FOUND', 'no such item');
  if (input.condition !== undefined) item.condition = input.condition;
  if (input.status !== undefined) item.status = input.status;
  marketEvent(em, 'item.updated', { userId: sellerId, productId: item.product.id }, { itemId: item.id });
  await em.flush();
  return itemOutput(item);
}

export async function productItems(em: EntityManager, sellerId: string, productId: string) {
  await ownProduct(em, sellerId, productId);
  const rows = await em.find(InventoryItem, { product: productId }, { orderBy: { sku: 'asc' } });
  return { results: rows.map(itemOutput) };
}

// ── assets ──

/** An uploaded file of the seller's own (POST /api/app/upload) becomes a product asset. */
export async function addAsset(
  em: EntityManager,
  sellerId: string,
  input: {
    product_id: string;
    media_id: string;
    asset_type: 'image' | '3d' | 'ar';
    drm_protected: boolean;
    sort_order: number;
  },
) {
  const product = await ownProduct(em, sellerId, input.product_id);
  const media = await em.findOne(MediaUpload, { id: input.media_id, user: sellerId });
  if (!media) throw new DomainError('NOT_FOUND', 'no such upload of yours');
  const asset = em.create(ProductAsset, {
    product,
    assetType: input.asset_type,
    url: `/api/media/${media.id}`,
    drmProtected: input.drm_protected,
    sortOrder: input.sort_order,
  });
  marketEvent(em, 'asset.added', { userId: sellerId, productId: product.id }, { assetId: asset.id });
  await em.flush();
  return {
    id: asset.id,
    asset_type: asset.assetType,
    url: asset.url,
    drm_protected: asset.drmProtected,
    sort_order: asset.sortOrder,
  };
}
