import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MediaUpload, ProductAsset } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { Hono } from 'hono';
import type { AppDeps } from '../../deps.ts';
import type { AppEnv } from '../../hono-env.ts';
import type { Uploads } from '../uploads/upload.service.ts';

/** How long a signed asset URL works. */
export const ASSET_URL_TTL_MS = 5 * 60_000;
const MEDIA_PREFIX = '/api/media/';

const signature = (secret: string, assetId: string, expires: number) =>
  createHmac('sha256', secret).update(`market-asset:${assetId}:${expires}`).digest('base64url');

/**
 * A short-lived address of an asset's file: `drm_protected` assets are served only through
 * these (the product never shows their stored address). HMAC of the asset and the expiry with
 * the app's secret, so any api instance checks it without a database row.
 */
export async function signedAssetUrl(em: EntityManager, secret: string, assetId: string, now = Date.now()) {
  const asset = await em.findOne(ProductAsset, { id: assetId, product: { active: true } });
  if (!asset) throw new DomainError('NOT_FOUND', 'no such asset');
  const expires = now + ASSET_URL_TTL_MS;
  return {
    url: `/api/market/assets/${asset.id}/file?expires=${expires}&sig=${signature(secret, asset.id, expires)}`,
    expires_at: new Date(expires),
  };
}

function validSignature(secret: string, assetId: string, expires: number, sig: string): boolean {
  const expected = Buffer.from(signature(secret, assetId, expires));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** `GET /api/market/assets/{id}/file?expires=&sig=`: the uploaded file of a signed, unexpired URL; 403 otherwise. */
export function mountAssetFiles(app: Hono<AppEnv>, deps: AppDeps, uploads: Uploads): void {
  app.get('/api/market/assets/:id/file', async (c) => {
    const id = c.req.param('id');
    const expires = Number(c.req.query('expires'));
    const sig = c.req.query('sig') ?? '';
    if (
      !Number.isSafeInteger(expires) ||
      expires < Date.now() ||
      !validSignature(deps.env.APP_SECRET, id, expires, sig)
    ) {
      throw new DomainError('FORBIDDEN', 'this asset address is not signed or has expired');
    }
    const em = deps.orm.em.fork();
    const asset = await em.findOne(ProductAsset, { id });
    const mediaId = asset?.url.startsWith(MEDIA_PREFIX) ? asset.url.slice(MEDIA_PREFIX.length) : null;
    const media = mediaId ? await em.findOne(MediaUpload, { id: mediaId }) : null;
    if (!media) throw new DomainError('NOT_FOUND', 'no such asset file');
    const bytes = await uploads.storage.get(media.storageKey);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': media.mimeType,
      'cache-control': 'private, no-store',
    });
  });
}
