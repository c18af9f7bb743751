import { listMarketEvents } from '@powerbank/market';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { adminProcedure, authedProcedure, publicProcedure, router } from '../../trpc/trpc.ts';
import { trustedOutput } from '../../trpc/trusted-output.ts';
import { adminMutation } from '../admin-auth/admin-action.ts';
import { TopupIntentOutput } from '../payment/payment.schemas.ts';
import { signedAssetUrl } from './asset-urls.ts';
import {
  addAsset,
  addItem,
  allCategories,
  categoryBySlug,
  createProduct,
  deactivateProduct,
  ownProduct,
  productItems,
  publicProduct,
  sellerProducts,
  updateItem,
  updateProduct,
} from './catalogue.service.ts';
import { handoverRouter } from './handover.router.ts';
import {
  AssetAddInput,
  AssetIdInput,
  AssetOutput,
  AssetUrlOutput,
  BalanceInput,
  BalanceOutput,
  CategoriesOutput,
  CategoryDetailOutput,
  CategorySlugInput,
  CheckoutInput,
  EventsInput,
  EventsOutput,
  HandoverDaysOutput,
  HandoversInput,
  ItemCreateInput,
  ItemOutput,
  ItemsOutOutput,
  ItemsOutput,
  ItemUpdateInput,
  NoInput,
  OrderIdInput,
  OrderOutput,
  OrderShareOutput,
  OrdersByStatusOutput,
  OrdersInput,
  OrdersOutput,
  PayByGatewayInput,
  PayOrderInput,
  PayoutDecisionInput,
  PayoutIdInput,
  PayoutOutput,
  PayoutQueueInput,
  PayoutRejectInput,
  PayoutRequestInput,
  PayoutsOutput,
  PlansOutput,
  ProductCreateInput,
  ProductDetailOutput,
  ProductIdInput,
  ProductOutput,
  ProductsOutput,
  ProductUpdateInput,
  QuoteInput,
  QuoteOutput,
  RevenueInput,
  RevenueOutput,
  RoleOutput,
  RolesOutput,
  SearchInput,
  SearchOutput,
  SellerApplyInput,
  SubscribeInput,
  SubscriptionIdInput,
  SubscriptionOutput,
  SubscriptionsOutput,
  UserIdInput,
} from './market.schemas.ts';
import {
  applyAsSeller,
  approveSeller,
  myRoles,
  pendingSellerApplications,
  sellerProcedure,
} from './market-roles.ts';
import { route } from './market-route.ts';
import { payOrderByGateway } from './order-gateway-payment.ts';
import { cancelOrder, checkout, listOrders, orderOutput, payOrder, quote } from './orders.service.ts';
import {
  decidePayout,
  myPayout,
  myPayouts,
  orderShare,
  payoutQueue,
  requestPayout,
  sellerBalance,
} from './payouts.service.ts';
import { schedulesRouter } from './schedules.router.ts';
import { searchProducts } from './search.service.ts';
import { itemsOut, ordersByStatus, revenueByMonth, upcomingHandovers } from './seller-dashboard.service.ts';
import { cancelSubscription, listPlans, mySubscriptions, subscribe } from './subscriptions.service.ts';

/** A search page is built field by field by typed code (search.service's `pageOf`): checked in tests, not per call in production. */
const SearchAnswer = trustedOutput(SearchOutput);

const catalogue = router({
  categories: publicProcedure
    .meta({
      ...route('GET', '/categories', 'Every category, parents before children', false),
      responseCache: { tables: [STATIC_TABLES.category] },
    })
    .input(NoInput)
    .output(CategoriesOutput)
    .query(async ({ ctx }) => ({ results: await allCategories(ctx.em, ctx.staticCache) })),

  category: publicProcedure
    .meta({
      ...route('GET', '/categories/{slug}', 'A category with its breadcrumbs and subtree', false),
      responseCache: { tables: [STATIC_TABLES.category] },
    })
    .input(CategorySlugInput)
    .output(CategoryDetailOutput)
    .query(({ ctx, input }) => categoryBySlug(ctx.em, ctx.staticCache, input.slug)),

  search: publicProcedure
    .meta(
      route(
        'GET',
        '/products',
        'Search: text, category subtree, price, seller, city or distance, available between two times; cursor pages',
        false,
      ),
    )
    .input(SearchInput)
    .output(SearchAnswer)
    .query(({ ctx, input }) => searchProducts(ctx.em, ctx.staticCache, input)),

  product: publicProcedure
    .meta(route('GET', '/products/{id}', 'An active product with its assets', false))
    .input(ProductIdInput)
    .output(ProductDetailOutput)
    .query(({ ctx, input }) => publicProduct(ctx.em, input.id)),

  assetUrl: authedProcedure
    .meta(
      route(
        'GET',
        '/assets/{id}/url',
        "A short-lived signed address of an asset's file (DRM-protected ones only so)",
      ),
    )
    .input(AssetIdInput)
    .output(AssetUrlOutput)
    .query(({ ctx, input }) => signedAssetUrl(ctx.em, ctx.deps.env.APP_SECRET, input.id)),

  quote: publicProcedure
    .meta(
      route('GET', '/quote', 'The price of a product over a period (the checkout charges the same)', false),
    )
    .input(QuoteInput)
    .output(QuoteOutput)
    .query(({ ctx, input }) => quote(ctx.em, input, ctx.auth?.user.id ?? null)),
});

const orders = router({
  checkout: authedProcedure
    .meta(
      route(
        'POST',
        '/checkout',
        'Reserve free items for a period; with payment_mode, pay and hold the deposit too',
      ),
    )
    .input(CheckoutInput)
    .output(OrderOutput)
    .mutation(({ ctx, input }) => checkout(ctx.em, ctx.auth.user.id, input)),

  pay: authedProcedure
    .meta(route('POST', '/orders/{id}/pay', "Pay a reserved order's invoice and hold its deposit"))
    .input(PayOrderInput)
    .output(OrderOutput)
    .mutation(({ ctx, input }) => payOrder(ctx.em, ctx.auth.user.id, input)),

  payByGateway: authedProcedure
    .meta(
      route(
        'POST',
        '/orders/{id}/pay-by-gateway',
        'Pay a reserved order by a gateway top-up: once credited, it pays the invoice and holds the deposit',
      ),
    )
    .input(PayByGatewayInput)
    .output(TopupIntentOutput)
    .mutation(({ ctx, input }) => payOrderByGateway(ctx.em, ctx.deps, ctx.auth.user.id, input)),

  cancel: authedProcedure
    .meta(route('POST', '/orders/{id}/cancel', 'Cancel before pickup: refund by the cancellation policy'))
    .input(OrderIdInput)
    .output(OrderOutput)
    .mutation(({ ctx, input }) => cancelOrder(ctx.em, ctx.auth.user.id, input.id)),

  get: authedProcedure
    .meta(route('GET', '/orders/{id}', 'One of my orders (as customer or seller)'))
    .input(OrderIdInput)
    .output(OrderOutput)
    .query(({ ctx, input }) => orderOutput(ctx.em, ctx.auth.user.id, input.id)),

  list: authedProcedure
    .meta(route('GET', '/orders', 'My orders as customer or as seller, newest first'))
    .input(OrdersInput)
    .output(OrdersOutput)
    .query(({ ctx, input }) => listOrders(ctx.em, ctx.auth.user.id, input)),
});

const seller = router({
  roles: authedProcedure
    .meta(route('GET', '/roles', 'My marketplace roles'))
    .input(NoInput)
    .output(RolesOutput)
    .query(({ ctx }) => myRoles(ctx.em, ctx.auth.user.id)),

  applyAsSeller: authedProcedure
    .meta(route('POST', '/seller/apply', 'Apply to be a seller (an admin approves)'))
    .input(SellerApplyInput)
    .output(RoleOutput)
    .mutation(({ ctx, input }) => applyAsSeller(ctx.em, ctx.auth.user.id, input.description)),

  products: sellerProcedure
    .meta(route('GET', '/seller/products', 'My products, active or not'))
    .input(NoInput)
    .output(ProductsOutput)
    .query(({ ctx }) => sellerProducts(ctx.em, ctx.auth.user.id)),

  createProduct: sellerProcedure
    .meta(route('POST', '/seller/products', 'List a product'))
    .input(ProductCreateInput)
    .output(ProductOutput)
    .mutation(({ ctx, input }) => createProduct(ctx.em, ctx.auth.user.id, input)),

  updateProduct: sellerProcedure
    .meta(route('PATCH', '/seller/products/{id}', 'Change my product'))
    .input(ProductUpdateInput)
    .output(ProductOutput)
    .mutation(({ ctx, input }) => updateProduct(ctx.em, ctx.auth.user.id, input)),

  deleteProduct: sellerProcedure
    .meta(route('DELETE', '/seller/products/{id}', 'Take my product off the catalogue (kept inactive)'))
    .input(ProductIdInput)
    .output(ProductOutput)
    .mutation(({ ctx, input }) => deactivateProduct(ctx.em, ctx.auth.user.id, input.id)),

  items: sellerProcedure
    .meta(route('GET', '/seller/products/{id}/items', "My product's inventory items"))
    .input(ProductIdInput)
    .output(ItemsOutput)
    .query(({ ctx, input }) => productItems(ctx.em, ctx.auth.user.id, input.id)),

  addItem: sellerProcedure
    .meta(route('POST', '/seller/items', 'Add an inventory item (SKU/serial) to my product'))
    .input(ItemCreateInput)
    .output(ItemOutput)
    .mutation(({ ctx, input }) => addItem(ctx.em, ctx.auth.user.id, input)),

  updateItem: sellerProcedure
    .meta(route('PATCH', '/seller/items/{id}', "Change my item's condition or status"))
    .input(ItemUpdateInput)
    .output(ItemOutput)
    .mutation(({ ctx, input }) => updateItem(ctx.em, ctx.auth.user.id, input)),

  addAsset: sellerProcedure
    .meta(route('POST', '/seller/assets', 'Attach an uploaded file to my product'))
    .input(AssetAddInput)
    .output(AssetOutput)
    .mutation(({ ctx, input }) => addAsset(ctx.em, ctx.auth.user.id, input)),

  events: sellerProcedure
    .meta(route('GET', '/seller/products/{id}/events', "My product's events (catalogue changes, orders)"))
    .input(ProductIdInput.extend(EventsInput.pick({ limit: true }).shape))
    .output(EventsOutput)
    .query(async ({ ctx, input }) => {
      await ownProduct(ctx.em, ctx.auth.user.id, input.id);
      return listMarketEvents(ctx.em, { productId: input.id, limit: input.limit });
    }),
});

const subscriptions = router({
  plans: publicProcedure
    .meta(route('GET', '/subscription-plans', 'The subscription plans on offer', false))
    .input(NoInput)
    .output(PlansOutput)
    .query(({ ctx }) => listPlans(ctx.em)),

  list: authedProcedure
    .meta(route('GET', '/subscriptions', 'My subscriptions, newest first'))
    .input(NoInput)
    .output(SubscriptionsOutput)
    .query(({ ctx }) => mySubscriptions(ctx.em, ctx.auth.user.id)),

  subscribe: authedProcedure
    .meta(route('POST', '/subscriptions', 'Subscribe to a plan: the first period is charged now'))
    .input(SubscribeInput)
    .output(SubscriptionOutput)
    .mutation(({ ctx, input }) => subscribe(ctx.em, ctx.auth.user.id, input)),

  cancel: authedProcedure
    .meta(route('POST', '/subscriptions/{id}/cancel', 'Cancel at the end of the paid period (no renewal)'))
    .input(SubscriptionIdInput)
    .output(SubscriptionOutput)
    .mutation(({ ctx, input }) => cancelSubscription(ctx.em, ctx.auth.user.id, input.id)),
});

const payouts = router({
  balance: sellerProcedure
    .meta(
      route('GET', '/seller/balance', 'My seller balance and its movements (revenue, commission, payouts)'),
    )
    .input(BalanceInput)
    .output(BalanceOutput)
    .query(({ ctx, input }) => sellerBalance(ctx.em, ctx.auth.user.id, input.limit)),

  orderShare: sellerProcedure
    .meta(route('GET', '/seller/orders/{id}/share', "My order's revenue, commission and net on my balance"))
    .input(OrderIdInput)
    .output(OrderShareOutput)
    .query(({ ctx, input }) => orderShare(ctx.em, ctx.auth.user.id, input.id)),

  request: sellerProcedure
    .meta(route('POST', '/seller/payouts', 'Request a payout of part of my balance (an admin approves)'))
    .input(PayoutRequestInput)
    .output(PayoutOutput)
    .mutation(({ ctx, input }) => requestPayout(ctx.em, ctx.auth.user.id, input)),

  list: sellerProcedure
    .meta(route('GET', '/seller/payouts', 'My payout requests, newest first'))
    .input(NoInput)
    .output(PayoutsOutput)
    .query(({ ctx }) => myPayouts(ctx.em, ctx.auth.user.id)),

  get: sellerProcedure
    .meta(route('GET', '/seller/payouts/{id}', 'One of my payout requests'))
    .input(PayoutIdInput)
    .output(PayoutOutput)
    .query(({ ctx, input }) => myPayout(ctx.em, ctx.auth.user.id, input.id)),
});

const dashboard = router({
  handovers: sellerProcedure
    .meta(route('GET', '/seller/dashboard/handovers', 'My upcoming pickups and returns by day'))
    .input(HandoversInput)
    .output(HandoverDaysOutput)
    .query(({ ctx, input }) => upcomingHandovers(ctx.em, ctx.auth.user.id, input.days)),

  ordersByStatus: sellerProcedure
    .meta(route('GET', '/seller/dashboard/orders-by-status', 'My orders counted by status'))
    .input(NoInput)
    .output(OrdersByStatusOutput)
    .query(({ ctx }) => ordersByStatus(ctx.em, ctx.auth.user.id)),

  revenue: sellerProcedure
    .meta(route('GET', '/seller/dashboard/revenue', 'My revenue, commission and net by month'))
    .input(RevenueInput)
    .output(RevenueOutput)
    .query(({ ctx, input }) => revenueByMonth(ctx.em, ctx.auth.user.id, input.months)),

  itemsOut: sellerProcedure
    .meta(route('GET', '/seller/dashboard/items-out', 'My items out with customers now'))
    .input(NoInput)
    .output(ItemsOutOutput)
    .query(({ ctx }) => itemsOut(ctx.em, ctx.auth.user.id)),
});

const admin = router({
  sellerApplications: adminProcedure(['operations', 'support'])
    .meta(route('GET', '/admin/seller-applications', 'Seller applications waiting for approval'))
    .input(NoInput)
    .output(RolesOutput)
    .query(({ ctx }) => pendingSellerApplications(ctx.em)),

  approveSeller: adminProcedure(['operations'])
    .meta(route('POST', '/admin/seller-applications/{user_id}/approve', 'Approve a seller application'))
    .input(UserIdInput)
    .output(RoleOutput)
    .mutation(({ ctx, input }) =>
      adminMutation(ctx, 'market.approve_seller', async (tx) => {
        const { before, after } = await approveSeller(tx, input.user_id);
        return { result: after, targetType: 'user', targetId: input.user_id, before, after };
      }),
    ),

  events: adminProcedure(['operations', 'support'])
    .meta(route('GET', '/admin/events', 'Marketplace events by product and/or user'))
    .input(EventsInput)
    .output(EventsOutput)
    .query(({ ctx, input }) =>
      listMarketEvents(ctx.em, { productId: input.product_id, userId: input.user_id, limit: input.limit }),
    ),

  payouts: adminProcedure(['finance', 'operations'])
    .meta(route('GET', '/admin/payouts', 'Seller payout requests by status (waiting ones by default)'))
    .input(PayoutQueueInput)
    .output(PayoutsOutput)
    .query(({ ctx, input }) => payoutQueue(ctx.em, input.status)),

  approvePayout: adminProcedure(['finance'])
    .meta(route('POST', '/admin/payouts/{id}/approve', 'Approve a payout request (paid out of the platform)'))
    .input(PayoutDecisionInput)
    .output(PayoutOutput)
    .mutation(({ ctx, input }) =>
      adminMutation(ctx, 'market.approve_payout', async (tx) => {
        const { before, after } = await decidePayout(
          tx,
          ctx.auth.user.id,
          input.id,
          'approve',
          input.note ?? null,
        );
        return { result: after, targetType: 'seller_payout', targetId: input.id, before, after };
      }),
    ),

  rejectPayout: adminProcedure(['finance'])
    .meta(
      route(
        'POST',
        '/admin/payouts/{id}/reject',
        'Reject a payout request: the amount goes back on the balance',
      ),
    )
    .input(PayoutRejectInput)
    .output(PayoutOutput)
    .mutation(({ ctx, input }) =>
      adminMutation(ctx, 'market.reject_payout', async (tx) => {
        const { before, after } = await decidePayout(tx, ctx.auth.user.id, input.id, 'reject', input.note);
        return {
          result: after,
          targetType: 'seller_payout',
          targetId: input.id,
          before,
          after,
          reason: input.note,
        };
      }),
    ),
});

/** The marketplace (issues 20, 21): catalogue, search, orders, sellers, handover and return, subscriptions, payouts, and the admin's part. */
export const marketRouter = router({
  catalogue,
  orders,
  seller,
  subscriptions,
  payouts,
  dashboard,
  admin,
  handover: handoverRouter,
  schedules: schedulesRouter,
});
