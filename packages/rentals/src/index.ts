export * from './dispense-outcome.ts';
export * from './next-discount.ts';
export * from './rental-config.ts';
export * from './rental-events.ts';
export * from './rental-holds.ts';
export * from './rental-jobs.ts';
export * from './rental-notify.ts';
export * from './rental-record.ts';
