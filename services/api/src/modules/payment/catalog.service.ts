import type { EntityManager } from '@mikro-orm/postgresql';
import { PaymentMethod, prepared, RentalPackage, runPrepared } from '@powerbank/db';
import {
  calculatePaymentOptions,
  DomainError,
  formatMoney,
  pointsToMinor,
  spendable,
} from '@powerbank/domain';
import { pointsRatio } from '@powerbank/ledger';
import { discountOn, nextDiscount } from '@powerbank/rentals';
import type { AppDeps } from '../../deps.ts';
import type { StaticCache } from '../../platform/static-cache.ts';
import { STATIC_TABLES } from '../../platform/static-tables.ts';
import { cachedPaymentConfig, readBalances } from '../wallet/balances.ts';
import { gatewayAvailable } from './gateways/gateway-registry.ts';
import type {
  CalculateOptionsInput,
  CalculateOptionsOutput,
  PackagesOutput,
  PaymentMethodsOutput,
} from './payment.schemas.ts';

/**
 * The ways to pay an amount (a package's price or any amount), from the
 * domain's `calculatePaymentOptions` — the function `payFromBalances` uses at
 * payment time, over the same spendable balances (wallet minus held).
 */
export async function calculateOptions(
  em: EntityManager,
  cache: StaticCache,
  userId: string,
  input: CalculateOptionsInput,
): Promise<CalculateOptionsOutput> {
  // Only a quote: the start itself reads the balances and settings again in its transaction.
  const [wallet, config] = await Promise.all([readBalances(em, userId), cachedPaymentConfig(em, cache)]);
  let amount = input.amount ?? 0;
  let discount: ReturnType<typeof discountOn> = null;
  if (input.package_id !== undefined) {
    const [pkg, [next]] = await Promise.all([
      em.findOne(RentalPackage, { id: input.package_id, isActive: true }),
      runPrepared(em, NEXT_DISCOUNT, { userId, packageId: input.package_id }),
    ]);
    if (!pkg) throw new DomainError('NOT_FOUND', 'no active package with this id');
    if (pkg.currency !== wallet.currency) {
      throw new DomainError(
        'BUSINESS_RULE',
        `package priced in ${pkg.currency}, wallet holds ${wallet.currency}`,
      );
    }
    // Postpaid packages charge at return; what must be affordable now is the deposit (minimum balance).
    amount = pkg.paymentModel === 'prepaid' ? pkg.price : pkg.depositAmount;
    // The discount coupon the start would take (the same read and rule as rentals/start).
    discount = discountOn(next?.discount ?? null, pkg);
    amount -= discount?.amount ?? 0;
  }
  const currency = wallet.currency;
  const ratio = pointsRatio(config, currency);
  const balances = { wallet: spendable(wallet), points: wallet.points };
  const money = (value: number) => formatMoney(value, currency);
  return {
    amount: money(amount),
    package_id: input.package_id ?? null,
    discount: discount ? { coupon_code: discount.usage.code, amount: money(discount.amount) } : null,
    balances: {
      wallet: money(balances.wallet),
      points: balances.points,
      points_value: money(pointsToMinor(balances.points, ratio)),
    },
    points_per_currency_unit: config.points_per_currency_unit,
    options: calculatePaymentOptions(amount, balances, ratio).map((option) => ({
      mode: option.mode,
      sufficient: option.sufficient,
      wallet_amount: money(option.walletAmount),
      points: option.points,
      points_value: money(option.pointsValue),
      shortfall: { wallet: money(option.shortfall.wallet), points: option.shortfall.points },
    })),
  };
}

export function listPackages(em: EntityManager, cache: StaticCache): Promise<PackagesOutput> {
  return cache.get(STATIC_TABLES.rentalPackage, 'active', async () => {
    const rows = await em.find(
      RentalPackage,
      { isActive: true },
      { orderBy: { sortOrder: 'asc', id: 'asc' } },
    );
    return {
      results: rows.map((pkg) => ({
        id: pkg.id,
        code: pkg.code,
        name: pkg.name,
        description: pkg.description ?? null,
        payment_model: pkg.paymentModel,
        duration_minutes: pkg.durationMinutes,
        price: formatMoney(pkg.price, pkg.currency),
        per_minute_rate: formatMoney(pkg.perMinuteRate, pkg.currency),
        deposit: formatMoney(pkg.depositAmount, pkg.currency),
      })),
    };
  });
}

/**
 * Active methods whose gateway this instance can really use (Stripe only when configured): the
 * gateways are this instance's configuration, fixed while it runs, so the filtered list is cached.
 */
export function listPaymentMethods(
  em: EntityManager,
  cache: StaticCache,
  deps: AppDeps,
): Promise<PaymentMethodsOutput> {
  return cache.get(STATIC_TABLES.paymentMethod, 'active', async () => {
    const rows = await em.find(
      PaymentMethod,
      { isActive: true },
      { orderBy: { sortOrder: 'asc', id: 'asc' } },
    );
    return {
      results: rows
        .filter((method) => gatewayAvailable(deps, method.gateway))
        .map((method) => ({
          code: method.code,
          name: method.name,
          gateway: method.gateway,
          min_amount: formatMoney(method.minAmount, method.currency),
          max_amount: formatMoney(method.maxAmount, method.currency),
          icon_url: method.iconUrl ?? null,
        })),
    };
  });
}

/** The discount coupon a rental start of the package would take (the start reads it the same way). */
const NEXT_DISCOUNT = prepared((db, p: { userId: string; packageId: number }) =>
  db.selectNoFrom(nextDiscount(p.userId, p.packageId).as('discount')),
);
