import { swaggerUI } from '@hono/swagger-ui';
import type { Hono } from 'hono';
import {
  generateOpenApiDocument,
  type OpenAPIObject,
  type OpenApiMeta,
  type OpenApiRouter,
} from 'trpc-to-openapi';
import type { AppEnv } from '../hono-env.ts';

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** What every refusal looks like on REST (the envelope of RULES.md). */
const ERROR_ENVELOPE = {
  type: 'object',
  properties: {
    success: { type: 'boolean', enum: [false] },
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Stable machine code, e.g. VALIDATION_FAILED, RATE_LIMITED' },
        message: { type: 'string' },
        details: {
          type: 'object',
          additionalProperties: true,
          description: 'Field paths for validation errors (`fields`), what is missing, retry time…',
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['success', 'error'],
};
const ERROR_REF = { $ref: '#/components/schemas/ErrorEnvelope' };

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ERROR_REF } },
});

/**
 * The OpenAPI document of every REST path, as legacy apps really see it:
 * trpc-to-openapi describes the procedures' bare inputs and outputs, and this
 * wraps each success schema in `{ success: true, data }`, points every error
 * response at the one error envelope, and asks for a bearer token only where a
 * procedure declares `protect: true` (the generator assumes it everywhere).
 */
export function buildOpenApiDocument(router: OpenApiRouter, version: string): OpenAPIObject {
  const document = generateOpenApiDocument(router, {
    title: 'PowerBank API',
    description:
      'REST view of the tRPC procedures. Success: `{ success: true, data }`; ' +
      'error: `{ success: false, error: { code, message, details? } }` with a matching HTTP status. ' +
      'TypeScript apps should use the typed client `@powerbank/api-client` instead.',
    version,
    baseUrl: '/api',
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', description: 'Session token from login' },
    },
  });

  const protectedOperations = new Set<string>();
  for (const procedure of Object.values(router._def.procedures)) {
    const openapi = (procedure as { _def: { meta?: OpenApiMeta } })._def.meta?.openapi;
    if (openapi?.protect === true) protectedOperations.add(`${openapi.method.toLowerCase()} ${openapi.path}`);
  }

  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      if (protectedOperations.has(`${method} ${path}`)) operation.security = [{ bearerAuth: [] }];
      else delete operation.security;

      const responses = (operation.responses ?? {}) as Record<string, Json>;
      for (const [status, response] of Object.entries(responses)) {
        const content = response.content as Record<string, { schema?: unknown }> | undefined;
        const json = content?.['application/json'];
        if (!json) continue;
        json.schema = status.startsWith('2')
          ? {
              type: 'object',
              properties: { success: { type: 'boolean', enum: [true] }, data: json.schema ?? {} },
              required: ['success', 'data'],
            }
          : ERROR_REF;
      }
      if (method !== 'get' && method !== 'delete') {
        responses['413'] = errorResponse('Request body too large');
      }
      if (method !== 'get' || path.startsWith('/auth/')) {
        responses['429'] = errorResponse('Rate limited; see the Retry-After header');
      }
      operation.responses = responses;
    }
  }

  document.components ??= {};
  const components = document.components;
  const schemas = Object.fromEntries(
    Object.entries(components.schemas ?? {}).filter(([name]) => !name.startsWith('error.')),
  );
  type Schema = NonNullable<typeof components.schemas>[string];
  components.schemas = { ...schemas, ErrorEnvelope: ERROR_ENVELOPE as Schema };
  return document;
}

/**
 * `GET /api/openapi.json` (built once, here, at startup) and `GET /api/docs`
 * (Swagger UI reading it). Register before the `/api/*` catch-all.
 */
export function mountOpenApi(
  app: Hono<AppEnv>,
  router: OpenApiRouter,
  version: string,
  /** Operations served by plain Hono routes rather than procedures (multipart uploads), already in envelope form. */
  extraPaths: Record<string, unknown> = {},
): void {
  const document = buildOpenApiDocument(router, version);
  document.paths = { ...document.paths, ...(extraPaths as typeof document.paths) };
  app.get(OPENAPI_PATH, (c) => c.json(document));
  app.get(DOCS_PATH, swaggerUI({ url: OPENAPI_PATH, title: 'PowerBank API' }));
}
