import {
  ORDER_STATUSES,
  PAYMENT_MODES,
  PAYOUT_STATUSES,
  PRICING_UNITS,
  SELLER_ENTRY_TYPES,
  SUBSCRIPTION_STATUSES,
} from '@powerbank/db';
import { z } from 'zod';
import { inputDate, queryInt, queryNumber } from '../../platform/query-input.ts';

export const NoInput = z.object({}).strict();
const uuid = z.string().uuid();
const minorUnits = z.number().int().min(0).max(1_000_000_000).describe('minor units (cents)');
const idempotencyKey = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

// ── roles ─────────────────────────────────────────────────────────────
export const SellerApplyInput = z
  .object({ description: z.string().min(3).max(255).describe('what you will rent out') })
  .strict();
export const RoleOutput = z.object({
  user_id: z.string(),
  role: z.string(),
  description: z.string().nullable(),
  approved: z.boolean(),
  created_at: z.date(),
});
export type RoleOutput = z.infer<typeof RoleOutput>;
export const RolesOutput = z.object({ results: z.array(RoleOutput) });
export const UserIdInput = z.object({ user_id: uuid }).strict();

// ── catalogue ─────────────────────────────────────────────────────────
export const CategoryOutput = z.object({
  id: z.number().int(),
  name: z.string(),
  slug: z.string(),
  parent_id: z.number().int().nullable(),
  sort_order: z.number().int(),
});
export type CategoryOutput = z.infer<typeof CategoryOutput>;
export const CategoriesOutput = z.object({ results: z.array(CategoryOutput) });
export const CategorySlugInput = z.object({ slug: z.string().min(1).max(80) }).strict();
export const CategoryDetailOutput = z.object({
  category: CategoryOutput,
  breadcrumbs: z.array(CategoryOutput).describe('root first, the category last'),
  subtree: z.array(CategoryOutput).describe('the category and every descendant'),
});

export const AssetOutput = z.object({
  id: z.string(),
  asset_type: z.string(),
  url: z.string().describe('for a DRM-protected asset, a signed URL valid for a few minutes'),
  drm_protected: z.boolean(),
  sort_order: z.number().int(),
});
export const ProductOutput = z.object({
  id: z.string(),
  seller_id: z.string(),
  category_id: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  base_price: z.number().int(),
  deposit: z.number().int(),
  currency: z.string(),
  pricing_unit: z.enum(PRICING_UNITS),
  min_units: z.number().int(),
  max_units: z.number().int().nullable(),
  city: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  active: z.boolean(),
  popularity_score: z.number().int(),
  created_at: z.date(),
});
export type ProductOutput = z.infer<typeof ProductOutput>;
export const ProductDetailOutput = ProductOutput.extend({
  assets: z.array(AssetOutput),
  items_total: z.number().int(),
});
export const ProductIdInput = z.object({ id: uuid }).strict();

const productFields = {
  category_id: z.number().int().positive(),
  title: z.string().trim().min(3).max(160),
  description: z.string().max(5000).nullable(),
  base_price: minorUnits,
  deposit: minorUnits,
  pricing_unit: z.enum(PRICING_UNITS),
  min_units: z.number().int().min(1).max(10_000),
  max_units: z.number().int().min(1).max(10_000).nullable(),
  city: z.string().trim().min(1).max(80).nullable(),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  active: z.boolean(),
};
export const ProductCreateInput = z
  .object({
    ...productFields,
    description: productFields.description.default(null),
    deposit: productFields.deposit.default(0),
    min_units: productFields.min_units.default(1),
    max_units: productFields.max_units.default(null),
    city: productFields.city.default(null),
    latitude: productFields.latitude.default(null),
    longitude: productFields.longitude.default(null),
    active: productFields.active.default(true),
  })
  .strict();
export type ProductCreateInput = z.infer<typeof ProductCreateInput>;
export const ProductUpdateInput = z.object(productFields).partial().extend({ id: uuid }).strict();
export type ProductUpdateInput = z.infer<typeof ProductUpdateInput>;
export const ProductsOutput = z.object({ results: z.array(ProductOutput) });

export const ItemOutput = z.object({
  id: z.string(),
  product_id: z.string(),
  sku: z.string(),
  status: z.string(),
  condition: z.string().nullable(),
});
export type ItemOutput = z.infer<typeof ItemOutput>;
export const ItemsOutput = z.object({ results: z.array(ItemOutput) });
const itemStatus = z.enum(['available', 'maintenance', 'retired']);
export const ItemCreateInput = z
  .object({
    product_id: uuid,
    sku: z.string().trim().min(1).max(64),
    condition: z.string().max(40).nullable().default(null),
    status: itemStatus.default('available'),
  })
  .strict();
export const ItemUpdateInput = z
  .object({ id: uuid, condition: z.string().max(40).nullable().optional(), status: itemStatus.optional() })
  .strict();

export const AssetAddInput = z
  .object({
    product_id: uuid,
    media_id: uuid.describe('an id from POST /api/app/upload'),
    asset_type: z.enum(['image', '3d', 'ar']).default('image'),
    drm_protected: z.boolean().default(false),
    sort_order: z.number().int().min(0).max(1000).default(0),
  })
  .strict();
export const AssetIdInput = z.object({ id: uuid }).strict();
export const AssetUrlOutput = z.object({ url: z.string(), expires_at: z.date() });

// ── search ────────────────────────────────────────────────────────────
export const SEARCH_SORTS = ['relevance', 'price_asc', 'price_desc', 'popularity', 'newest'] as const;
export const SearchInput = z
  .object({
    q: z.string().trim().max(200).optional(),
    category: z.string().max(80).optional().describe('a category slug: its whole subtree'),
    min_price: queryInt(0, 1_000_000_000).optional(),
    max_price: queryInt(0, 1_000_000_000).optional(),
    seller_id: uuid.optional(),
    city: z.string().max(80).optional(),
    lat: queryNumber(-90, 90).optional(),
    lng: queryNumber(-180, 180).optional(),
    radius_m: queryInt(1, 200_000).default(10_000),
    available_from: inputDate().optional(),
    available_to: inputDate().optional(),
    sort: z.enum(SEARCH_SORTS).default('relevance'),
    cursor: z.string().max(300).optional().describe('next_cursor of the previous page'),
    limit: queryInt(1, 50).default(20),
  })
  .strict();
export type SearchInput = z.infer<typeof SearchInput>;
export const SearchOutput = z.object({
  results: z.array(ProductOutput.extend({ rank: z.number(), distance_m: z.number().int().nullable() })),
  next_cursor: z.string().nullable(),
});
export type SearchOutput = z.infer<typeof SearchOutput>;

// ── orders ────────────────────────────────────────────────────────────
const period = {
  product_id: uuid,
  start: inputDate(),
  end: inputDate(),
  quantity: queryInt(1, 20).default(1),
};
const couponCode = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .optional()
  .describe("a discount coupon's code (engagement's coupons): its discount comes off the rent");
export const QuoteInput = z.object({ ...period, coupon_code: couponCode }).strict();
export type QuoteInput = z.infer<typeof QuoteInput>;
export const PriceLineOutput = z.object({ kind: z.string(), label: z.string(), amount: z.number().int() });
export const QuoteOutput = z.object({
  product_id: z.string(),
  units: z.number().int(),
  currency: z.string(),
  lines: z.array(PriceLineOutput),
  rent: z.number().int(),
  discount: z.number().int(),
  tax: z.number().int(),
  charge: z.number().int().describe('what is paid: rent − discount + tax'),
  deposit: z.number().int().describe('held on the wallet, released on a clean return'),
  total: z.number().int().describe('sum of the lines'),
  available: z.boolean().describe('enough items free for the whole period'),
});
export type QuoteOutput = z.infer<typeof QuoteOutput>;

const split = z.object({ wallet_amount: z.number().int().min(0), points: z.number().int().min(0) }).strict();
const payment = {
  payment_mode: z.enum(PAYMENT_MODES),
  split: split.optional(),
};
export const CheckoutInput = z
  .object({
    ...period,
    quantity: z.number().int().min(1).max(20).default(1),
    payment_mode: payment.payment_mode
      .optional()
      .describe('absent: the order is only reserved, to be paid before reserved_until'),
    split: split.optional(),
    coupon_code: couponCode,
    idempotency_key: idempotencyKey.describe(
      'a retry with the same key returns the same order, never a second one',
    ),
  })
  .strict();
export type CheckoutInput = z.infer<typeof CheckoutInput>;
export const PayOrderInput = z.object({ id: uuid, ...payment }).strict();
export type PayOrderInput = z.infer<typeof PayOrderInput>;
export const PayByGatewayInput = z
  .object({
    id: uuid,
    payment_method: z.string().min(1).max(40).describe('a PaymentMethod code, e.g. sandbox_card'),
    idempotency_key: idempotencyKey
      .optional()
      .describe('a retry with the same key returns the same payment intent'),
  })
  .strict();
export type PayByGatewayInput = z.infer<typeof PayByGatewayInput>;
export const OrderIdInput = z.object({ id: uuid }).strict();

export const InvoiceOutput = z.object({
  id: z.string(),
  lines: z.array(PriceLineOutput),
  amount_due: z.number().int(),
  amount_paid: z.number().int(),
  status: z.string(),
  due_date: z.string(),
});
export const OrderOutput = z.object({
  id: z.string(),
  status: z.enum(ORDER_STATUSES),
  customer_id: z.string(),
  seller_id: z.string(),
  product_id: z.string(),
  item_ids: z.array(z.string()),
  quantity: z.number().int(),
  start: z.date(),
  end: z.date(),
  total_amount: z.number().int(),
  deposit_amount: z.number().int(),
  held_amount: z.number().int(),
  currency: z.string(),
  reserved_until: z.date().nullable(),
  invoice: InvoiceOutput.nullable(),
  refunded: z.number().int().optional(),
  created_at: z.date(),
});
export type OrderOutput = z.infer<typeof OrderOutput>;
export const OrdersOutput = z.object({ results: z.array(OrderOutput) });
export const OrdersInput = z
  .object({
    role: z.enum(['customer', 'seller']).default('customer'),
    status: z.enum(ORDER_STATUSES).optional(),
  })
  .strict();

export const EventsInput = z
  .object({ product_id: uuid.optional(), user_id: uuid.optional(), limit: queryInt(1, 100).default(50) })
  .strict();
export const EventOutput = z.object({
  id: z.string(),
  event_type: z.string(),
  user_id: z.string().nullable(),
  product_id: z.string().nullable(),
  occurred_at: z.date(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
});
export const EventsOutput = z.object({ results: z.array(EventOutput) });

// ── subscriptions (issue 21) ──────────────────────────────────────────
export const PlanOutput = z.object({
  id: z.number().int(),
  name: z.string(),
  discount_pct: z.number().int(),
  duration_days: z.number().int(),
  price: z.number().int().describe('charged per period, minor units'),
  currency: z.string(),
  included_products: z.array(z.string()).describe('product ids or category slugs (their subtrees)'),
});
export const PlansOutput = z.object({ results: z.array(PlanOutput) });
export const SubscriptionOutput = z.object({
  id: z.string(),
  plan: PlanOutput,
  status: z.enum(SUBSCRIPTION_STATUSES),
  starts_at: z.date().describe('the current paid period'),
  ends_at: z.date(),
  period: z.number().int().describe('1 for the first period'),
  payment_mode: z.enum(PAYMENT_MODES),
  cancel_at_period_end: z.boolean(),
  renewal_attempts: z.number().int().describe('failed attempts to charge the next period'),
  next_attempt_at: z.date().nullable(),
  created_at: z.date(),
});
export type SubscriptionOutput = z.infer<typeof SubscriptionOutput>;
export const SubscriptionsOutput = z.object({ results: z.array(SubscriptionOutput) });
export const SubscribeInput = z
  .object({
    plan_id: z.number().int().positive(),
    payment_mode: z
      .enum(['wallet', 'points', 'wallet_points'])
      .describe('how this and every renewal is paid (a fixed split has no meaning for later periods)'),
    idempotency_key: idempotencyKey.describe('a retry with the same key answers the same subscription'),
  })
  .strict();
export type SubscribeInput = z.infer<typeof SubscribeInput>;
export const SubscriptionIdInput = z.object({ id: uuid }).strict();

// ── seller balance and payouts (issue 21) ─────────────────────────────
export const BalanceEntryOutput = z.object({
  id: z.string(),
  type: z.enum(SELLER_ENTRY_TYPES),
  amount: z.number().int().describe('signed minor units: credits positive'),
  balance_after: z.number().int(),
  reference_type: z.string().nullable(),
  reference_id: z.string().nullable(),
  description: z.string().nullable(),
  created_at: z.date(),
});
export const BalanceInput = z.object({ limit: queryInt(1, 200).default(50) }).strict();
export const BalanceOutput = z.object({
  balance: z.number().int(),
  currency: z.string(),
  requested_payouts: z.number().int().describe('already taken off the balance, waiting for approval'),
  commission_bp: z.number().int().describe('the platform commission now, basis points'),
  entries: z.array(BalanceEntryOutput).describe('newest first: revenue, commission, payouts'),
});
export const OrderShareOutput = z.object({
  order_id: z.string(),
  gross: z.number().int(),
  commission: z.number().int(),
  net: z.number().int(),
  entries: z.array(BalanceEntryOutput),
});
export const PayoutOutput = z.object({
  id: z.string(),
  seller_id: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(PAYOUT_STATUSES),
  note: z.string().nullable(),
  decided_at: z.date().nullable(),
  created_at: z.date(),
});
export type PayoutOutput = z.infer<typeof PayoutOutput>;
export const PayoutsOutput = z.object({ results: z.array(PayoutOutput) });
export const PayoutRequestInput = z
  .object({
    amount: z.number().int().min(1).max(1_000_000_000).describe('minor units, at most the balance'),
    idempotency_key: idempotencyKey.describe('the same request twice is one payout'),
  })
  .strict();
export type PayoutRequestInput = z.infer<typeof PayoutRequestInput>;
export const PayoutIdInput = z.object({ id: uuid }).strict();
export const PayoutQueueInput = z.object({ status: z.enum(PAYOUT_STATUSES).default('requested') }).strict();
export const PayoutDecisionInput = z
  .object({ id: uuid, note: z.string().trim().min(3).max(255).optional() })
  .strict();
export const PayoutRejectInput = z.object({ id: uuid, note: z.string().trim().min(3).max(255) }).strict();

// ── seller dashboard (issue 21) ───────────────────────────────────────
export const HandoversInput = z.object({ days: queryInt(1, 60).default(14) }).strict();
export const HandoverOutput = z.object({
  order_id: z.string(),
  type: z.enum(['pickup', 'return']),
  at: z.date().describe("the schedule's slot, else the order's start (pickup) or end (return)"),
  items: z.number().int(),
  overdue: z.boolean(),
});
export const HandoverDaysOutput = z.object({
  days: z.array(
    z.object({
      date: z.string().describe('UTC day, YYYY-MM-DD'),
      pickups: z.number().int(),
      returns: z.number().int(),
      handovers: z.array(HandoverOutput),
    }),
  ),
});
export const OrdersByStatusOutput = z.object({
  results: z.array(z.object({ status: z.enum(ORDER_STATUSES), count: z.number().int() })),
});
export const RevenueInput = z.object({ months: queryInt(1, 36).default(12) }).strict();
export const RevenueOutput = z.object({
  currency: z.string(),
  months: z.array(
    z.object({
      month: z.string().describe('UTC month, YYYY-MM'),
      orders: z.number().int(),
      gross: z.number().int(),
      commission: z.number().int(),
      net: z.number().int(),
    }),
  ),
});
export const ItemsOutOutput = z.object({
  results: z.array(
    z.object({
      item_id: z.string(),
      sku: z.string(),
      product_id: z.string(),
      title: z.string(),
      order_id: z.string(),
      customer_id: z.string(),
      since: z.date(),
      due_back: z.date(),
      overdue: z.boolean(),
    }),
  ),
});
