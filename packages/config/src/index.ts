export { ConfigError, parseConfig } from './parse-config.ts';
export * from './schemas.ts';
