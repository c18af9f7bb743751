import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { AppEnv } from '../hono-env.ts';

export const CONSOLE_PATH = '/console';
/** The operations console's build (`pnpm --filter @powerbank/console build`). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist', import.meta.url));

/**
 * Serves the built console at /console when it has been built (in development Vite's
 * dev server serves it instead). Its pages live in the URL's hash, so every path
 * under /console that is not a file answers index.html.
 */
export function mountConsole(app: Hono<AppEnv>, dist: string = CONSOLE_DIST): void {
  if (!existsSync(`${dist}/index.html`)) return;
  const strip = (path: string) => path.slice(CONSOLE_PATH.length) || '/';
  app.get(CONSOLE_PATH, (c) => c.redirect(`${CONSOLE_PATH}/`));
  app.use(`${CONSOLE_PATH}/*`, serveStatic({ root: dist, rewriteRequestPath: strip }));
  app.get(`${CONSOLE_PATH}/*`, serveStatic({ root: dist, path: 'index.html' }));
}
