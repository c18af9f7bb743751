import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRouter } from '../testing/fixture-router.ts';
import { createTestApi, type TestApi } from '../testing/test-app.ts';
import { router } from '../trpc/trpc.ts';
import { buildOpenApiDocument } from './openapi.ts';

type Json = any;

describe('GET /api/openapi.json and /api/docs', () => {
  let api: TestApi;
  let document: Json;

  beforeAll(async () => {
    api = await createTestApi();
    const response = await api.app.fetch(new Request('http://api.test/api/openapi.json'));
    expect(response.status).toBe(200);
    document = await response.json();
  });
  afterAll(() => api.close());

  it('describes the app paths with their success schemas inside the REST envelope', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.servers).toEqual([{ url: '/api' }]);
    const version = document.paths['/app/version'].get;
    const schema = version.responses['200'].content['application/json'].schema;
    expect(schema.required).toEqual(['success', 'data']);
    expect(schema.properties.success).toEqual({ type: 'boolean', enum: [true] });
    expect(schema.properties.data.properties.versions.type).toBe('array');
    expect(version.parameters.map((p: Json) => p.name)).toEqual(['platform']);

    const health = document.paths['/app/health'].get.responses['200'].content['application/json'].schema;
    expect(health.properties.data.properties.checks.properties).toHaveProperty('nats');
  });

  it('documents every error as the error envelope, and no bearer token on public paths', () => {
    const version = document.paths['/app/version'].get;
    expect(version.responses['400'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorEnvelope',
    });
    expect(document.components.schemas.ErrorEnvelope.properties.error.required).toEqual(['code', 'message']);
    expect(Object.keys(document.components.schemas).some((name) => name.startsWith('error.'))).toBe(false);
    expect(version.security).toBeUndefined();
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('renders Swagger UI reading the document', async () => {
    const response = await api.app.fetch(new Request('http://api.test/api/docs'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('/api/openapi.json');
    expect(html.toLowerCase()).toContain('swagger');
  });
});

describe('buildOpenApiDocument', () => {
  it('asks for a bearer token where a procedure declares protect, and documents 413/429 on writes', () => {
    const document: Json = buildOpenApiDocument(router({ fixture: fixtureRouter }), '1.2.3');
    expect(document.info.version).toBe('1.2.3');
    const echo = document.paths['/fixture/echo'].post;
    expect(echo.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(echo.responses)).toEqual(expect.arrayContaining(['200', '400', '413', '429']));
    expect(echo.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    const search = document.paths['/fixture/search'].get;
    expect(search.security).toBeUndefined();
    expect(search.responses['429']).toBeUndefined();
  });
});
