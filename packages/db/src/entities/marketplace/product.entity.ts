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
    active: p.boolean().default(true),
    popularityScore: p.integer().default(0),
    ...timestamps(),
  },
  indexes: [
    { name: 'idx_products_category_active', properties: ['category', 'active'] },
    { properties: ['active', 'popularityScore', 'createdAt'] },
  ],
  checks: [{ name: 'product_base_price_non_negative', expression: 'base_price >= 0' }],
});

export class Product extends ProductSchema.class {}
ProductSchema.setClass(Product);
