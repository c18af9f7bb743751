export { createApp } from './app.ts';
export type { AppDeps } from './deps.ts';
export type { RootRouter } from './trpc/root-router.ts';
