export * from './fake-fcm.ts';
export * from './fake-server.ts';
export * from './fake-twilio.ts';
export * from './worker-env.ts';
