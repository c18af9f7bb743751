import { Migration } from '@mikro-orm/migrations';

/**
 * A one-word search in a leaf category (a hundredth of the catalogue) walked ~2,100 of the word's
 * index entries to find a page of 21 in the subtree (docs/benchmarks.md, bench:market). With the
 * product's own category on its term rows, a category with nothing under it is an equality in
 * the index: exactly the page's entries are read.
 */
export class Migration20261205221000_market_search_term_category extends Migration {
  override name = 'Migration20261205221000_market_search_term_category';

  override up(): void | Promise<void> {
    this.addSql(`alter table "product_search_term" add "category_id" int null;`);
    this.addSql(
      `update "product_search_term" t set "category_id" = p."category_id" from "product" p where p."id" = t."product_id";`,
    );
    this.addSql(`alter table "product_search_term" alter column "category_id" set not null;`);
    this.addSql(`
      create or replace function product_search_terms() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and old.search_vector is not distinct from new.search_vector
           and old.category_path is not distinct from new.category_path and old.active = new.active
           and old.category_id = new.category_id then
          return null;
        end if;
        delete from product_search_term where product_id = new.id;
        if new.active then
          insert into product_search_term (product_id, lexeme, rank, category_id, category_path)
          select new.id, l, ts_rank(new.search_vector, lexeme_query(l)), new.category_id, new.category_path
            from unnest(tsvector_to_array(new.search_vector)) as l;
        end if;
        return null;
      end $$;`);
    this.addSql(
      `create index "product_search_term_category_rank" on "product_search_term" ("lexeme", "category_id", "rank" desc, "product_id");`,
    );
    this.addSql(`analyze "product_search_term";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "product_search_term_category_rank";`);
    this.addSql(`
      create or replace function product_search_terms() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and old.search_vector is not distinct from new.search_vector
           and old.category_path is not distinct from new.category_path and old.active = new.active then
          return null;
        end if;
        delete from product_search_term where product_id = new.id;
        if new.active then
          insert into product_search_term (product_id, lexeme, rank, category_path)
          select new.id, l, ts_rank(new.search_vector, lexeme_query(l)), new.category_path
            from unnest(tsvector_to_array(new.search_vector)) as l;
        end if;
        return null;
      end $$;`);
    this.addSql(`alter table "product_search_term" drop column "category_id";`);
  }
}
