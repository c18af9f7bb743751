export * from './mqtt.ts';
export * from './nats.ts';
