import { defineEntity, p } from '@mikro-orm/core';
import { Product } from './product.entity.ts';

const ProductSearchTermSchema = defineEntity({
  name: 'ProductSearchTerm',
  properties: {
    product: () => p.manyToOne(Product).primary().deleteRule('cascade'),
    /** One lexeme of the product's `search_vector`. */
    lexeme: p.text().primary(),
    /**
     * One category of the product's path: its own and each ancestor, a row each, so any
     * category's subtree is found by equality (migration market_search_term_ancestors).
     */
    categoryId: p.integer().primary(),
    /** Whether `categoryId` is the product's own category: one row per product and lexeme. */
    own: p.boolean(),
    /**
     * `ts_rank(search_vector, <this lexeme>)`: exactly the rank a one-word search computes, kept
     * here so a one-word search walks the index in rank order instead of ranking every match.
     */
    rank: p.float().columnType('real'),
  },
  indexes: [
    {
      // A one-word search without a category: its lexeme's rows in rank order (ties by product), one per product.
      name: 'product_search_term_rank',
      expression:
        'create index "product_search_term_rank" on "product_search_term" ("lexeme", "rank" desc, "product_id") where "own"',
    },
    {
      // A one-word search in a category (its whole subtree): exactly its rows, in rank order.
      name: 'product_search_term_category_rank',
      expression:
        'create index "product_search_term_category_rank" on "product_search_term" ("lexeme", "category_id", "rank" desc, "product_id")',
    },
  ],
});

/**
 * Search's inverted index for one-word queries, one row per (active product, lexeme, category of
 * its path), written by the `product_search_terms` trigger on product (migrations
 * market_search_terms, market_search_term_ancestors) for every writer.
 */
export class ProductSearchTerm extends ProductSearchTermSchema.class {}
ProductSearchTermSchema.setClass(ProductSearchTerm);
