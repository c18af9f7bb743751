import { DomainError } from './errors.ts';
import { assertMinorUnits } from './money.ts';

export interface SellerShare {
  /** What the order earns the seller before commission: its invoice without tax and deposit. */
  gross: number;
  /** The platform's part, `gross × commissionBp / 10000` rounded half up. */
  commission: number;
  /** What the seller's balance gets: gross − commission, never negative. */
  net: number;
}

/**
 * A completed order's split between seller and platform. The base is what the customer paid for
 * the rent after discounts (and any charge added to the invoice, e.g. a late fee): tax is the
 * platform's to remit and the deposit is not revenue. The commission (AppConfig
 * `market_commission_bp`) is in basis points of that base.
 */
export function sellerShare(gross: number, commissionBp: number): SellerShare {
  assertMinorUnits(gross, 'gross');
  if (gross < 0) throw new DomainError('VALIDATION_FAILED', 'an order never earns a negative amount');
  if (!Number.isInteger(commissionBp) || commissionBp < 0 || commissionBp > 10_000) {
    throw new DomainError('VALIDATION_FAILED', 'the commission must be 0–10000 basis points');
  }
  const commission = Math.floor((gross * commissionBp + 5_000) / 10_000);
  return { gross, commission, net: gross - commission };
}

/** Invoice line kinds that are not the seller's revenue: tax (the platform remits it) and the held deposit. */
const NOT_REVENUE = new Set(['tax', 'deposit']);

/** The seller's gross from an invoice's lines: rent, discounts (negative) and any other charge, not tax or deposit. */
export function revenueOfLines(lines: readonly { kind: string; amount: number }[]): number {
  const sum = lines.filter((l) => !NOT_REVENUE.has(l.kind)).reduce((s, l) => s + l.amount, 0);
  return Math.max(0, sum);
}
