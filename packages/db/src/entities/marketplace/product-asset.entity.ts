import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, uuidKey } from '../columns.ts';
import { ASSET_TYPES } from '../enums.ts';
import { Product } from './product.entity.ts';

const ProductAssetSchema = defineEntity({
  name: 'ProductAsset',
  properties: {
    id: uuidKey(),
    product: () => p.manyToOne(Product).deleteRule('cascade').index(),
    assetType: p.enum(ASSET_TYPES).default('image'),
    url: p.string().length(1024),
    drmProtected: p.boolean().default(false),
    sortOrder: p.integer().default(0),
    createdAt: createdAt(),
  },
});

export class ProductAsset extends ProductAssetSchema.class {}
ProductAssetSchema.setClass(ProductAsset);
