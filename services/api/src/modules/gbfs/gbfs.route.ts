import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../hono-env.ts';
import { errorResponse } from '../../platform/error-response.ts';
import { describeHttpStatus } from '../../trpc/error-body.ts';
import { GBFS_FILES, type GbfsDocument, type GbfsFeed, type GbfsFile } from './gbfs-feed.ts';

export const GBFS_PATH = '/gbfs/v3';

/** Whether the client's copy is current: If-None-Match decides when sent (RFC 9110), else If-Modified-Since. */
function notModified(c: Context<AppEnv>, document: GbfsDocument): boolean {
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch
      .split(',')
      .map((tag) => tag.trim().replace(/^W\//, ''))
      .some((tag) => tag === '*' || tag === document.etag);
  }
  const since = Date.parse(c.req.header('if-modified-since') ?? '');
  return !Number.isNaN(since) && document.lastModified <= since;
}

/** GBFS v3.0, public and read-only: `/gbfs/v3/{file}.json`, answered from the feed's memory. */
export function mountGbfs(app: Hono<AppEnv>, feed: GbfsFeed): void {
  const files = new Set<string>(GBFS_FILES);
  app.get(`${GBFS_PATH}/:file{[a-z_]+\\.json}`, async (c) => {
    const name = c.req.param('file').replace(/\.json$/, '');
    if (!files.has(name)) return errorResponse(c, describeHttpStatus(404, `no GBFS file ${name}.json`));
    const document = await feed.document(name as GbfsFile);
    const headers = {
      ETag: document.etag,
      'Last-Modified': new Date(document.lastModified).toUTCString(),
      // Shared caches may keep it as long as the feed says its data stays (`ttl`).
      'Cache-Control': `public, max-age=${document.ttl}`,
    };
    if (notModified(c, document)) return c.body(null, 304, headers);
    return c.body(document.body, 200, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  });
}
