import { defineEntity, p } from '@mikro-orm/core';
import { currency, money, timestamps, uuidKey } from '../columns.ts';
import { PRICING_UNITS } from '../enums.ts';
import { User } from '../identity/user.entity.ts';
import { Category } from './category.entity.ts';

const ProductSchema = defineEntity({
  name: 'Product',
  properties: {
    id: uuidKey(),
    seller: () => p.manyToOne(User).deleteRule('restrict').index(),
    category: () => p.manyToOne(Category).deleteRule('restrict'),
    title: p.string().length(160),
    description: p.text().nullable(),
    basePrice: money(),
    currency: currency(),
    pricingUnit: p.enum(PRICING_UNITS).default('day'),
    /** Held on the renter's wallet for each unit rented, released on a clean return. */
    deposit: money().default(0),
    /** Shortest and longest rental, in pricing units (no maximum when null). */
    minUnits: p.integer().default(1),
    maxUnits: p.integer().nullable(),
    /** Where the items are picked up: search filters by city or distance. */
    city: p.string().length(80).nullable().index(),
    latitude: p.double().nullable(),
    longitude: p.double().nullable(),
    active: p.boolean().default(true),
    popularityScore: p.integer().default(0),
    /**
     * The product's category and its ancestors' ids, root first, kept by triggers (migration
     * market_search_index): search filters a subtree with `category_path @> array[id]`, served by
     * the same GIN index as the text.
     */
    categoryPath: p
      .array((i) => Number(i))
      .columnType('int[]')
      .nullable(),
    /** What search matches and ranks: stored, so neither the index's recheck nor ts_rank re-parses the text. */
    searchVector: p
      .string()
      .columnType('tsvector')
      .generated(`to_tsvector('simple', (title)::text || ' ' || coalesce(description, '')) stored`)
      .lazy()
      .hidden()
      .nullable(),
    /**
     * The product's known-free window, [freeFrom, freeUntil) (null: unbounded): one of its items
     * (`freeItemId`, null: no claim) is available and free throughout — that item's own window.
     * Written by a trigger on inventory_item (migration market_product_free_window), never by the
     * ORM: search's "available between" takes a period inside it without probing the items. Not a
     * foreign key: inventory_item already references product, and the trigger drops the claim
     * when the item goes.
     */
    freeItemId: p.uuid().nullable(),
    freeFrom: p.datetime().nullable(),
    freeUntil: p.datetime().nullable(),
    ...timestamps(),
  },
  indexes: [
    { name: 'idx_products_category_active', properties: ['category', 'active'] },
    { properties: ['active', 'popularityScore', 'createdAt'] },
    {
      // Search's one index: text and category subtree together, over active products only.
      name: 'product_search_gin',
      expression:
        'create index "product_search_gin" on "product" using gin ("category_path", "search_vector") where "active"',
    },
  ],
  triggers: [
    {
      // category_path written from the category tree whenever the product's category is (migration market_search_index).
      name: 'product_category_path',
      timing: 'before',
      events: ['insert', 'update'],
      expression:
        'create trigger product_category_path before insert or update of category_id on product for each row execute function product_category_path()',
    },
    {
      // product_search_term's rows re-written when the text, the category or the active flag change (migration market_search_terms).
      name: 'product_search_terms',
      timing: 'after',
      events: ['insert', 'update'],
      expression:
        'create trigger product_search_terms after insert or update of title, description, category_id, category_path, active on product for each row execute function product_search_terms()',
    },
  ],
  checks: [
    { name: 'product_base_price_non_negative', expression: 'base_price >= 0' },
    {
      name: 'product_period_and_deposit',
      expression: 'deposit >= 0 and min_units >= 1 and (max_units is null or max_units >= min_units)',
    },
  ],
});

export class Product extends ProductSchema.class {}
ProductSchema.setClass(Product);
