import { defineEntity, p } from '@mikro-orm/core';
import { Product } from './product.entity.ts';

const ProductSearchTermSchema = defineEntity({
  name: 'ProductSearchTerm',
  properties: {
    product: () => p.manyToOne(Product).primary().deleteRule('cascade'),
    /** One lexeme of the product's `search_vector`. */
    lexeme: p.text().primary(),
    /**
     * `ts_rank(search_vector, <this lexeme>)`: exactly the rank a one-word search computes, kept
     * here so a one-word search walks the index in rank order instead of ranking every match.
     */
    rank: p.float().columnType('real'),
    /** The product's own category, copied: a category with nothing under it is found by equality. */
    categoryId: p.integer(),
    /** The product's `category_path`, copied so a subtree is filtered without visiting the product. */
    categoryPath: p
      .array((i) => Number(i))
      .columnType('int[]')
      .nullable(),
  },
  indexes: [
    {
      // A one-word search: its lexeme's rows in rank order (ties by product), the subtree test from the index alone.
      name: 'product_search_term_rank',
      expression:
        'create index "product_search_term_rank" on "product_search_term" ("lexeme", "rank" desc, "product_id") include ("category_path")',
    },
    {
      // A one-word search in a category with no subcategories: exactly its rows, in rank order.
      name: 'product_search_term_category_rank',
      expression:
        'create index "product_search_term_category_rank" on "product_search_term" ("lexeme", "category_id", "rank" desc, "product_id")',
    },
  ],
});

/**
 * Search's inverted index for one-word queries, one row per (active product, lexeme), written by
 * the `product_search_terms` trigger on product (migration market_search_terms) for every writer.
 */
export class ProductSearchTerm extends ProductSearchTermSchema.class {}
ProductSearchTermSchema.setClass(ProductSearchTerm);
