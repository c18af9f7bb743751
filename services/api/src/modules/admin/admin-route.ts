import type { ApiMeta } from '../../trpc/trpc.ts';

/**
 * The REST mapping of an admin procedure: `/api/admin<path>`, under the `admin`
 * tag of the OpenAPI document, with a bearer token. The summary names the roles
 * (the role list itself is the procedure's `adminProcedure(roles)`).
 */
export function adminRest(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  summary: string,
) {
  return {
    openapi: { method, path: `/admin${path}`, tags: ['admin'], protect: true, summary },
  } satisfies ApiMeta;
}
