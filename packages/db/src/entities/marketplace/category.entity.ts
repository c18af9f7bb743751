import { defineEntity, p } from '@mikro-orm/core';
import { serialKey, timestamps } from '../columns.ts';

const CategorySchema = defineEntity({
  name: 'Category',
  properties: {
    id: serialKey(),
    name: p.string().length(80),
    slug: p.string().length(80).unique(),
    parent: () => p.manyToOne(Category).nullable().deleteRule('restrict').index(),
    isActive: p.boolean().default(true),
    sortOrder: p.integer().default(0),
    ...timestamps(),
  },
  checks: [{ name: 'category_not_own_parent', expression: 'parent_id is null or parent_id <> id' }],
  triggers: [
    {
      // A category moved re-writes its subtree's products' category_path (migration market_search_index).
      name: 'category_moved',
      timing: 'after',
      events: ['update'],
      expression:
        'create trigger category_moved after update of parent_id on category for each row when (old.parent_id is distinct from new.parent_id) execute function category_moved()',
    },
  ],
});

/** Product categories, nested through `parent`. */
export class Category extends CategorySchema.class {}
CategorySchema.setClass(Category);
