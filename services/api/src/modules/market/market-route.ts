type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const tags = ['market'];

/** REST under /api/market/… (docs/marketplace.md lists them); `protect` for every signed-in route. */
export const route = (method: Method, path: `/${string}`, summary: string, protect = true) => ({
  openapi: { method, path: `/market${path}` as `/${string}`, tags, protect, summary },
});
