export * from './connection-budget.ts';
export * from './graceful-shutdown.ts';
export { ConfigError, parseConfig } from './parse-config.ts';
export * from './schemas.ts';
