export * from './errors.ts';
export * from './ledger-rules.ts';
export * from './money.ts';
export * from './payment-split.ts';
export * from './points.ts';
export * from './rental-settlement.ts';
export * from './rental-status.ts';
export * from './station-clock.ts';
