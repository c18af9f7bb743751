import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import { nextBalance, spendable } from './ledger-rules.ts';
import { assertMinorUnits, formatMoney } from './money.ts';
import {
  calculatePaymentOptions,
  decidePayment,
  type PaymentMode,
  type SpendableBalances,
  splitFor,
} from './payment-split.ts';
import { type PointsRatio, pointsToMinor, topupRewardPoints } from './points.ts';

const USD: PointsRatio = { pointsPerUnit: 10, minorPerUnit: 100 };
const ratioArb = fc.record({
  pointsPerUnit: fc.integer({ min: 1, max: 1000 }),
  minorPerUnit: fc.constantFrom(1, 100, 1000),
});
const amountArb = fc.integer({ min: 0, max: 10_000_000 });
const balancesArb = fc.record({ wallet: amountArb, points: fc.integer({ min: 0, max: 1_000_000 }) });

describe('money', () => {
  it('formats exact minor units', () => {
    expect(formatMoney(123456, 'USD')).toEqual({ amount: 123456, currency: 'USD', formatted: '$1,234.56' });
    expect(formatMoney(5, 'USD').formatted).toBe('$0.05');
    expect(formatMoney(-5, 'USD').formatted).toBe('-$0.05');
    expect(formatMoney(500, 'JPY').formatted).toBe('¥500');
  });
  it('refuses fractions and unsafe integers', () => {
    expect(() => assertMinorUnits(1.5)).toThrow(DomainError);
    expect(() => assertMinorUnits(2 ** 53)).toThrow(DomainError);
  });
  it('top-up earns 10% of the amount in points (RULES.md)', () => {
    expect(topupRewardPoints(10_000, 10, USD)).toBe(10);
    expect(topupRewardPoints(999, 10, USD)).toBe(0);
    expect(topupRewardPoints(25_000, 10, USD)).toBe(25);
  });
});

describe('payment split', () => {
  it('wallet_points uses as many whole points as possible, the wallet the rest', () => {
    expect(splitFor('wallet_points', 1_000, { wallet: 0, points: 30 }, USD)).toMatchObject({
      points: 30,
      pointsValue: 300,
      walletAmount: 700,
    });
    expect(splitFor('wallet_points', 15, { wallet: 100, points: 30 }, USD)).toMatchObject({
      points: 1,
      walletAmount: 5,
    });
  });
  it('an explicit split must add up exactly', () => {
    expect(() =>
      splitFor('split', 1_000, { wallet: 0, points: 0 }, USD, { walletAmount: 500, points: 49 }),
    ).toThrow(/must equal/);
    expect(
      splitFor('split', 1_000, { wallet: 0, points: 0 }, USD, { walletAmount: 500, points: 50 }),
    ).toMatchObject({
      walletAmount: 500,
      points: 50,
    });
  });

  it('every automatic split adds up to the amount and never overspends points value', () => {
    fc.assert(
      fc.property(amountArb, balancesArb, ratioArb, (amount, balances, ratio) => {
        for (const option of calculatePaymentOptions(amount, balances, ratio)) {
          expect(option.walletAmount + option.pointsValue).toBe(amount);
          expect(option.walletAmount).toBeGreaterThanOrEqual(0);
          expect(option.points).toBeGreaterThanOrEqual(0);
          // Points are never worth less than what they pay for.
          expect(pointsToMinor(option.points, ratio)).toBeGreaterThanOrEqual(option.pointsValue);
          if (option.mode === 'wallet_points') expect(option.points).toBeLessThanOrEqual(balances.points);
        }
      }),
    );
  });

  it('the options shown are the options honoured', () => {
    fc.assert(
      fc.property(amountArb, balancesArb, ratioArb, (amount, balances, ratio) => {
        for (const option of calculatePaymentOptions(amount, balances, ratio)) {
          if (option.sufficient) {
            const paid = decidePayment(option.mode, amount, balances, ratio);
            expect(paid).toMatchObject({ walletAmount: option.walletAmount, points: option.points });
          } else {
            expect(() => decidePayment(option.mode, amount, balances, ratio)).toThrow(
              expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }),
            );
          }
        }
      }),
    );
  });
});

/** A model of one user's wallet and points with their ledgers, driven only by the pure rules. */
class ModelAccount {
  wallet = { balance: 0, held: 0 };
  points = { balance: 0, held: 0 };
  walletLedger: number[] = [];
  pointsLedger: number[] = [];

  apply(kind: 'wallet' | 'points', delta: number) {
    const account = this[kind];
    account.balance = nextBalance(kind, account, delta);
    (kind === 'wallet' ? this.walletLedger : this.pointsLedger).push(delta);
  }

  pay(mode: PaymentMode, amount: number, ratio: PointsRatio) {
    const balances: SpendableBalances = { wallet: spendable(this.wallet), points: spendable(this.points) };
    const split = decidePayment(mode, amount, balances, ratio);
    if (split.walletAmount > 0) this.apply('wallet', -split.walletAmount);
    if (split.points > 0) this.apply('points', -split.points);
  }

  snapshot() {
    return JSON.stringify([this.wallet, this.points, this.walletLedger, this.pointsLedger]);
  }
}

const opArb = fc.oneof(
  fc.record({
    op: fc.constant('credit' as const),
    kind: fc.constantFrom('wallet' as const, 'points' as const),
    n: fc.integer({ min: 1, max: 50_000 }),
  }),
  fc.record({
    op: fc.constant('debit' as const),
    kind: fc.constantFrom('wallet' as const, 'points' as const),
    n: fc.integer({ min: 1, max: 50_000 }),
  }),
  fc.record({
    op: fc.constant('pay' as const),
    mode: fc.constantFrom<PaymentMode>('wallet', 'points', 'wallet_points'),
    n: fc.integer({ min: 0, max: 50_000 }),
  }),
);

describe('ledger invariants over random operation sequences', () => {
  it('balance never negative, ledger sum = balance, a refused operation changes nothing', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), ratioArb, (ops, ratio) => {
        const account = new ModelAccount();
        for (const op of ops) {
          const before = account.snapshot();
          try {
            if (op.op === 'credit') account.apply(op.kind, op.n);
            else if (op.op === 'debit') account.apply(op.kind, -op.n);
            else account.pay(op.mode, op.n, ratio);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe('INSUFFICIENT_FUNDS');
            // `pay` checks both balances before touching either, so a refusal leaves no half payment.
            expect(account.snapshot()).toBe(before);
          }
          expect(account.wallet.balance).toBeGreaterThanOrEqual(0);
          expect(account.points.balance).toBeGreaterThanOrEqual(0);
          expect(account.walletLedger.reduce((a, b) => a + b, 0)).toBe(account.wallet.balance);
          expect(account.pointsLedger.reduce((a, b) => a + b, 0)).toBe(account.points.balance);
        }
      }),
    );
  });
});
