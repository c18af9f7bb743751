import { Migration } from '@mikro-orm/migrations';

/**
 * A one-word market search without ranking every match (docs/benchmarks.md, bench:market): a
 * common word matches a fifth of the catalogue, and the GIN scan hands back every match of text ∩
 * subtree (thousands at 100,000 products) to be visited, ranked by ts_rank and sorted before the
 * first page. `product_search_term` holds, per active product and lexeme of its search_vector,
 * that lexeme's ts_rank: a one-word search reads its lexeme's rows in rank order from a btree and
 * stops when the page is full. Written by a trigger on product, so every writer keeps it right.
 */
export class Migration20261205213000_market_search_terms extends Migration {
  override name = 'Migration20261205213000_market_search_terms';

  override up(): void | Promise<void> {
    this.addSql(`
      create table "product_search_term" (
        "product_id" uuid not null,
        "lexeme" text not null,
        "rank" real not null,
        "category_path" int[] null,
        constraint "product_search_term_pkey" primary key ("product_id", "lexeme"));`);
    this.addSql(
      `alter table "product_search_term" add constraint "product_search_term_product_id_foreign" foreign key ("product_id") references "product" ("id") on delete cascade;`,
    );
    // The one-lexeme tsquery websearch_to_tsquery makes of a one-word search, built without
    // re-parsing the lexeme (tsquery's quoting: '' for a quote, \ escapes), so the stored rank is
    // the very ts_rank the search would compute.
    this.addSql(`
      create function lexeme_query(lexeme text) returns tsquery language sql immutable strict as $$
        select ('''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''') || '''')::tsquery
      $$;`);
    this.addSql(`
      create function product_search_terms() returns trigger language plpgsql as $$
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
    this.addSql(
      `create trigger product_search_terms after insert or update of title, description, category_id, category_path, active on product
         for each row execute function product_search_terms();`,
    );
    this.addSql(`
      insert into product_search_term (product_id, lexeme, rank, category_path)
      select p.id, l, ts_rank(p.search_vector, lexeme_query(l)), p.category_path
        from product p, unnest(tsvector_to_array(p.search_vector)) as l
       where p.active;`);
    this.addSql(
      `create index "product_search_term_rank" on "product_search_term" ("lexeme", "rank" desc, "product_id") include ("category_path");`,
    );
    // The planner walks a lexeme's rows in rank order (and stops at the page) only when it knows
    // how many a lexeme and a subtree hold: statistics now, not at autovacuum's next visit.
    this.addSql(`analyze "product_search_term";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger product_search_terms on product;`);
    this.addSql(`drop function product_search_terms();`);
    this.addSql(`drop function lexeme_query(text);`);
    this.addSql(`drop table "product_search_term";`);
  }
}
