import type { ConnectionType, EntityManager, InferClassEntityDB } from '@mikro-orm/postgresql';
import type {
  Category,
  InventoryItem,
  Invoice,
  Product,
  ProductAsset,
  RentalOrder,
  RentalOrderItem,
  Schedule,
  SellerAccount,
  SellerAccountEntry,
  SellerPayout,
  SubscriptionPlan,
  UserSubscription,
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
  | typeof Schedule
  | typeof SubscriptionPlan
  | typeof UserSubscription
  | typeof SellerAccount
  | typeof SellerAccountEntry
  | typeof SellerPayout,
  { tableNamingStrategy: 'table' }
>;

/**
 * Typed queries on `em`'s connection (its transaction's, inside one): search and checkout, the hot
 * paths. `READ_REPLICA` for the lag-tolerant public reads (search), outside a transaction.
 */
export const marketDb = (em: EntityManager, type: ConnectionType = 'write') =>
  em.getKysely<MarketDB>({ type });
