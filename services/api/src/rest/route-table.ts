import type { OpenApiMeta, OpenApiRouter } from 'trpc-to-openapi';

/**
 * Which methods each documented REST path answers, so a known path called with
 * another method gets 405 + `Allow` rather than trpc-to-openapi's 404.
 */
export function restRouteTable(router: OpenApiRouter) {
  const routes: { pattern: RegExp; method: string }[] = [];
  for (const procedure of Object.values(router._def.procedures)) {
    const openapi = (procedure as { _def: { meta?: OpenApiMeta } })._def.meta?.openapi;
    if (!openapi || openapi.enabled === false) continue;
    const source = openapi.path
      .replace(/\/$/, '')
      .split('/')
      .map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    routes.push({ pattern: new RegExp(`^${source}/?$`), method: openapi.method });
  }
  return {
    /** Methods documented for `path` (relative to `/api`), empty when the path is unknown. */
    allowedMethods(path: string): string[] {
      return [...new Set(routes.filter((route) => route.pattern.test(path)).map((route) => route.method))];
    },
  };
}
