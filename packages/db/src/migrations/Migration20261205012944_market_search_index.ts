import { Migration } from '@mikro-orm/migrations';

/**
 * Market search under load (docs/benchmarks.md, bench:market): the text as a stored tsvector, so
 * neither the index recheck nor ts_rank re-parses title and description per row, and each
 * product's category path (its category and the ancestors' ids), so a category subtree is
 * `category_path @> array[id]`. Both in one GIN index over active products: text ∩ subtree is
 * one bitmap scan, and only what both match is ranked.
 */
export class Migration20261205012944_market_search_index extends Migration {
  override name = 'Migration20261205012944_market_search_index';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "product" add "category_path" int[] null, add "search_vector" tsvector generated always as (to_tsvector('simple', (title)::text || ' ' || coalesce(description, ''))) stored null;`,
    );
    // Kept by triggers, so every writer (the catalogue, seeds, the generator, tests) gets it right:
    // a product's path when it is written or moves category, its products' when a category moves.
    this.addSql(`
      create function category_path_of(category_id integer) returns int[] language sql stable as $$
        with recursive up (id, parent_id, depth) as (
          select id, parent_id, 0 from category where id = $1
          union all
          select c.id, c.parent_id, up.depth + 1 from category c join up on c.id = up.parent_id)
        select array_agg(id order by depth desc) from up
      $$;`);
    this.addSql(`
      create function product_category_path() returns trigger language plpgsql as $$
      begin
        new.category_path := category_path_of(new.category_id);
        return new;
      end $$;`);
    this.addSql(
      `create trigger product_category_path before insert or update of category_id on product
         for each row execute function product_category_path();`,
    );
    this.addSql(`
      create function category_moved() returns trigger language plpgsql as $$
      begin
        update product set category_path = category_path_of(category_id) where category_path @> array[new.id];
        return null;
      end $$;`);
    this.addSql(
      `create trigger category_moved after update of parent_id on category
         for each row when (old.parent_id is distinct from new.parent_id) execute function category_moved();`,
    );
    this.addSql(`update product set category_path = category_path_of(category_id);`);
    this.addSql(`drop index if exists "product_search_gin";`);
    this.addSql(
      `create index "product_search_gin" on "product" using gin ("category_path", "search_vector") where "active";`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger category_moved on category;`);
    this.addSql(`drop function category_moved();`);
    this.addSql(`drop trigger product_category_path on product;`);
    this.addSql(`drop function product_category_path();`);
    this.addSql(`drop function category_path_of(integer);`);
    this.addSql(`drop index if exists "product_search_gin";`);
    this.addSql(`alter table "product" drop column "search_vector", drop column "category_path";`);
    this.addSql(
      `create index "product_search_gin" on "product" using gin (to_tsvector('simple', "title" || ' ' || coalesce("description", '')));`,
    );
  }
}
