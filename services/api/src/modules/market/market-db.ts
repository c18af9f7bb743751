import type { EntityManager, InferClassEntityDB } from '@mikro-orm/postgresql';
import type {
  Category,
  InventoryItem,
  Invoice,
  Product,
  ProductAsset,
  RentalOrder,
  RentalOrderItem,
  Schedule,
} from '@powerbank/db';

/** The marketplace's tables as Kysely sees them: real table and column names, typed from the entities. */
export type MarketDB = InferClassEntityDB<
  | typeof Category
  | typeof Product
  | typeof ProductAsset
  | typeof InventoryItem
  | typeof RentalOrder
  | typeof RentalOrderItem
  | typeof Invoice
  | typeof Schedule,
  { tableNamingStrategy: 'table' }
>;

/** Typed queries on `em`'s connection (its transaction's, inside one): search and checkout, the hot paths. */
export const marketDb = (em: EntityManager) => em.getKysely<MarketDB>();
