export * from './build-message.ts';
export * from './core-api.ts';
export * from './down-messages.ts';
export * from './envelope.ts';
export * from './parse-message.ts';
export * from './partition.ts';
export * from './topics.ts';
export * from './up-messages.ts';
