import { UPLOAD_PURPOSES } from '@powerbank/db';
import { DomainError } from '@powerbank/domain';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps } from '../../deps.ts';
import type { AppEnv } from '../../hono-env.ts';
import { clientInfo } from '../../platform/client-ip.ts';
import { errorResponse } from '../../platform/error-response.ts';
import { describeHttpStatus } from '../../trpc/error-body.ts';
import { DiskFileStorage } from './file-storage.ts';
import { storeUploadForm, type Uploads } from './upload.service.ts';

export const UPLOAD_PATH = '/api/app/upload';
/** The same upload on tRPC (`app.upload`, a FormData input). */
export const TRPC_UPLOAD_PATH = '/trpc/app.upload';
/** Room for the multipart boundaries and headers around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export function uploadsOf(env: AppDeps['env']): Uploads {
  return {
    storage: new DiskFileStorage(env.UPLOAD_DIR),
    limits: { maxBytes: env.UPLOAD_MAX_BYTES, mimeTypes: env.UPLOAD_MIME_TYPES },
  };
}

/** The body limit of an upload request, on either transport (the api-wide one is far smaller). */
export function uploadBodyLimit(uploads: Uploads) {
  return bodyLimit({
    maxSize: uploads.limits.maxBytes + MULTIPART_OVERHEAD_BYTES,
    onError: (c) =>
      errorResponse(c, describeHttpStatus(413, `file larger than ${uploads.limits.maxBytes} bytes`)),
  });
}

/**
 * `POST /api/app/upload` (multipart: `file`, optional `purpose`) as a plain Hono
 * route: the REST adapter (trpc-to-openapi) speaks JSON only, so this one path
 * parses its own body. It stores the form as `app.upload` does on tRPC
 * (`storeUploadForm`); the answer is the usual envelope, `data` being the
 * MediaUpload whose id KYC and issue reports refer to.
 */
export function mountUploadRoute(app: Hono<AppEnv>, deps: AppDeps, uploads: Uploads): void {
  app.post(UPLOAD_PATH, uploadBodyLimit(uploads), async (c) => {
    const auth = c.get('auth');
    if (!auth) throw new DomainError('UNAUTHENTICATED', 'sign in first: session missing, expired or revoked');
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
      throw new HTTPException(415, { message: 'send the file as multipart/form-data' });
    }
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw new DomainError('VALIDATION_FAILED', 'malformed multipart body');
    }
    const owner = { userId: auth.user.id, client: clientInfo(c, deps.env.TRUST_PROXY) };
    const upload = await storeUploadForm(deps.orm.em.fork(), uploads, owner, form);
    return c.json({ success: true, data: upload }, 201);
  });
}

const ERROR = { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } };

/** The upload route's entry in the OpenAPI document (it is not a procedure, so the generator cannot see it). */
export const UPLOAD_OPENAPI = {
  '/app/upload': {
    post: {
      operationId: 'app-upload',
      summary: 'Upload a file (multipart: file, purpose) for KYC, issue reports or an avatar',
      tags: ['app'],
      security: [{ bearerAuth: [] }],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: {
                file: { type: 'string', format: 'binary' },
                purpose: { type: 'string', enum: [...UPLOAD_PURPOSES] },
              },
              required: ['file'],
            },
          },
        },
      },
      responses: {
        '201': {
          description: 'Stored',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  success: { type: 'boolean', enum: [true] },
                  data: {
                    type: 'object',
                    properties: {
                      id: { type: 'string', format: 'uuid' },
                      purpose: { type: 'string' },
                      originalName: { type: 'string' },
                      mimeType: { type: 'string' },
                      sizeBytes: { type: 'integer' },
                      sha256: { type: 'string' },
                      createdAt: { type: 'string', format: 'date-time' },
                    },
                  },
                },
              },
            },
          },
        },
        '400': { description: 'No file or a bad purpose', ...ERROR },
        '401': { description: 'No valid session', ...ERROR },
        '413': { description: 'File too large', ...ERROR },
        '415': { description: 'Type not accepted, or content not of the declared type', ...ERROR },
        '429': { description: 'Rate limited', ...ERROR },
      },
    },
  },
};
