export * from './loyalty.ts';
