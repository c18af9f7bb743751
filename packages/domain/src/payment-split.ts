import { DomainError } from './errors.ts';
import { assertMinorUnits } from './money.ts';
import { assertPoints, maxPointsWithin, type PointsRatio, pointsToCover, pointsToMinor } from './points.ts';

/** RULES.md's payment modes; `split` is the client's own wallet/points division. */
export const PAYMENT_MODES = ['wallet', 'points', 'wallet_points', 'split'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];
/** Modes the system proposes by itself (a `split` is only ever chosen by the client). */
export const AUTOMATIC_MODES = ['wallet', 'points', 'wallet_points'] as const;
export type AutomaticMode = (typeof AUTOMATIC_MODES)[number];

/** What the payer can spend now: wallet minor units not held by a post-paid rental, and points. */
export interface SpendableBalances {
  wallet: number;
  points: number;
}

/** How an amount is paid: `walletAmount` minor units plus `points` worth `pointsValue`. */
export interface PaymentSplit {
  mode: PaymentMode;
  amount: number;
  walletAmount: number;
  points: number;
  pointsValue: number;
}

export interface PaymentOption extends PaymentSplit {
  mode: AutomaticMode;
  sufficient: boolean;
  /** What is missing when not sufficient: wallet minor units and/or points. */
  shortfall: { wallet: number; points: number };
}

export interface ExplicitSplit {
  walletAmount: number;
  points: number;
}

/**
 * The division of `amount` a mode asks for, whatever the balances:
 * - `wallet`: all from the wallet;
 * - `points`: the fewest whole points worth at least the amount;
 * - `wallet_points`: as many whole points as the payer has, up to the amount's
 *   worth, and the wallet pays the rest;
 * - `split`: the client's numbers, which must add up to the amount exactly.
 */
export function splitFor(
  mode: PaymentMode,
  amount: number,
  balances: SpendableBalances,
  ratio: PointsRatio,
  explicit?: ExplicitSplit,
): PaymentSplit {
  assertMinorUnits(amount);
  if (amount < 0) throw new DomainError('VALIDATION_FAILED', 'amount must not be negative', { amount });
  switch (mode) {
    case 'wallet':
      return { mode, amount, walletAmount: amount, points: 0, pointsValue: 0 };
    case 'points': {
      const points = pointsToCover(amount, ratio);
      // Paying by points alone consumes whole points; the rounding favours no one beyond one point.
      return { mode, amount, walletAmount: 0, points, pointsValue: amount };
    }
    case 'wallet_points': {
      const points = Math.min(Math.max(0, balances.points), maxPointsWithin(amount, ratio));
      const pointsValue = pointsToMinor(points, ratio);
      return { mode, amount, walletAmount: amount - pointsValue, points, pointsValue };
    }
    case 'split': {
      if (!explicit) {
        throw new DomainError('VALIDATION_FAILED', 'a split payment needs wallet_amount and points', {
          fields: { split: 'required' },
        });
      }
      assertMinorUnits(explicit.walletAmount, 'wallet_amount');
      assertPoints(explicit.points);
      if (explicit.walletAmount < 0) {
        throw new DomainError('VALIDATION_FAILED', 'wallet_amount must not be negative', {
          fields: { wallet_amount: 'negative' },
        });
      }
      const pointsValue = pointsToMinor(explicit.points, ratio);
      if (explicit.walletAmount + pointsValue !== amount) {
        throw new DomainError(
          'VALIDATION_FAILED',
          'wallet_amount plus the points value must equal the amount',
          {
            amount,
            walletAmount: explicit.walletAmount,
            pointsValue,
          },
        );
      }
      return { mode, amount, walletAmount: explicit.walletAmount, points: explicit.points, pointsValue };
    }
  }
}

function shortfallOf(split: PaymentSplit, balances: SpendableBalances) {
  return {
    wallet: Math.max(0, split.walletAmount - balances.wallet),
    points: Math.max(0, split.points - balances.points),
  };
}

/** Every automatic way to pay `amount`, each marked sufficient or not, with what is missing. */
export function calculatePaymentOptions(
  amount: number,
  balances: SpendableBalances,
  ratio: PointsRatio,
): PaymentOption[] {
  return AUTOMATIC_MODES.map((mode) => {
    const split = splitFor(mode, amount, balances, ratio);
    const shortfall = shortfallOf(split, balances);
    return { ...split, mode, sufficient: shortfall.wallet === 0 && shortfall.points === 0, shortfall };
  });
}

/**
 * The split a payment really uses: the same `splitFor` the options come from,
 * refused with INSUFFICIENT_FUNDS (402, saying what is missing) when the
 * balances cannot carry it. The ledger's conditional updates re-check at
 * commit time, so a balance spent in between is still refused.
 */
export function decidePayment(
  mode: PaymentMode,
  amount: number,
  balances: SpendableBalances,
  ratio: PointsRatio,
  explicit?: ExplicitSplit,
): PaymentSplit {
  const split = splitFor(mode, amount, balances, ratio, explicit);
  const shortfall = shortfallOf(split, balances);
  if (shortfall.wallet > 0 || shortfall.points > 0) {
    throw new DomainError('INSUFFICIENT_FUNDS', `balance too low to pay ${amount} by ${mode}`, {
      mode,
      amount,
      missing: shortfall,
      split: { walletAmount: split.walletAmount, points: split.points },
    });
  }
  return split;
}
