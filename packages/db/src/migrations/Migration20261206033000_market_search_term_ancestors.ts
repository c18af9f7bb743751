import { Migration } from '@mikro-orm/migrations';

/**
 * A one-word search in a category with subcategories walked the word's rows of every category,
 * testing each entry's category path, to fill a page from a tenth of them (a root: ~190 entries
 * for 21 rows), and cost a fifth more Postgres CPU than the same search in a leaf
 * (docs/benchmarks.md, bench:market). Term rows now come once per category of the product's path
 * (its own, `own`, and each ancestor): any category's subtree is an equality in
 * `(lexeme, category_id, rank desc, product_id)`, exactly the page's entries; a search without a
 * category walks the product's own rows only.
 */
export class Migration20261206033000_market_search_term_ancestors extends Migration {
  override name = 'Migration20261206033000_market_search_term_ancestors';

  override up(): void | Promise<void> {
    this.addSql(`alter table "product_search_term" add "own" boolean not null default true;`);
    this.addSql(`alter table "product_search_term" alter column "own" drop default;`);
    this.addSql(`alter table "product_search_term" drop constraint "product_search_term_pkey";`);
    this.addSql(`
      insert into "product_search_term" ("product_id", "lexeme", "rank", "category_id", "own")
      select t.product_id, t.lexeme, t.rank, c, false
        from "product_search_term" t, unnest(t.category_path) as c
       where c <> t.category_id;`);
    this.addSql(
      `alter table "product_search_term" add constraint "product_search_term_pkey" primary key ("product_id", "lexeme", "category_id");`,
    );
    this.addSql(`drop index "product_search_term_rank";`);
    this.addSql(`alter table "product_search_term" drop column "category_path";`);
    this.addSql(
      `create index "product_search_term_rank" on "product_search_term" ("lexeme", "rank" desc, "product_id") where "own";`,
    );
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
          insert into product_search_term (product_id, lexeme, rank, category_id, own)
          select new.id, w.l, w.rank, c, c = new.category_id
            from (select l, ts_rank(new.search_vector, lexeme_query(l)) as rank
                    from unnest(tsvector_to_array(new.search_vector)) as l) w,
                 (select distinct c from unnest(coalesce(new.category_path, '{}') || new.category_id) as c) cs;
        end if;
        return null;
      end $$;`);
    this.addSql(`analyze "product_search_term";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "product_search_term" where not "own";`);
    this.addSql(`alter table "product_search_term" drop constraint "product_search_term_pkey";`);
    this.addSql(
      `alter table "product_search_term" add constraint "product_search_term_pkey" primary key ("product_id", "lexeme");`,
    );
    this.addSql(`alter table "product_search_term" add "category_path" int[] null;`);
    this.addSql(
      `update "product_search_term" t set "category_path" = p."category_path" from "product" p where p."id" = t."product_id";`,
    );
    this.addSql(`drop index "product_search_term_rank";`);
    this.addSql(`alter table "product_search_term" drop column "own";`);
    this.addSql(
      `create index "product_search_term_rank" on "product_search_term" ("lexeme", "rank" desc, "product_id") include ("category_path");`,
    );
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
  }
}
