export * from './any-row.ts';
export * from './bridge-env.ts';
export * from './nats-prefix.ts';
export * from './nats-server.ts';
export * from './run-id.ts';
export * from './spawn-service.ts';
export * from './teardown.ts';
export * from './test-database.ts';
