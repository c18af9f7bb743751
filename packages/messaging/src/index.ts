export * from './broker-accounts.ts';
export * from './mqtt.ts';
export * from './nats.ts';
