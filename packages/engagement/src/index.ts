export * from './achievement-notice.ts';
export * from './achievement-progress.ts';
export * from './engagement-jobs.ts';
export * from './engagement-notice.ts';
export * from './leaderboard.ts';
export * from './loyalty.ts';
export * from './referral-reward.ts';
