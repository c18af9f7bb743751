export interface LedgerEntry<K extends string> {
  type: K;
  /** Signed change: credits positive, debits negative. */
  amount: number;
  description: string;
}

/**
 * Running balances for a list of ledger entries, so a seeded balance is always
 * the sum of its ledger rows (the invariant the payment code relies on).
 */
export function runLedger<K extends string>(entries: readonly LedgerEntry<K>[]) {
  let balance = 0;
  let earned = 0;
  const rows = entries.map((entry) => {
    balance += entry.amount;
    if (entry.amount > 0) earned += entry.amount;
    if (balance < 0) throw new Error(`ledger goes negative at ${entry.type}`);
    return { ...entry, balanceAfter: balance };
  });
  return { rows, balance, earned };
}
