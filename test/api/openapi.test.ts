import { createHash } from 'node:crypto';
import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { createApp, MAX_BODY_BYTES } from '../../functions/api/app';
import { buildOpenApiDocument, openApiPath } from '../../functions/api/openapi/document';
import { INTERNAL_PROBLEM, problemCatalog } from '../../functions/api/openapi/problems';
import { ROUTE_DOCS } from '../../functions/api/openapi/routes';
import { toProblem } from '../../functions/api/problem';
import * as errors from '../../functions/domain/errors';
import { offlineApiDeps } from './support/offline-deps';
import { ROUTES } from './support/route-table';

/**
 * The OpenAPI document (issue 12) is generated from the routes' own schemas;
 * these tests keep the description list (functions/api/openapi/routes.ts) and
 * the app from drifting apart, and check the document with a real validator.
 * No stack: nothing here reaches a dependency (the endpoint is never called).
 */

const deps = offlineApiDeps('gatekeeper-openapi-test');
const app = createApp(deps);
const document = buildOpenApiDocument({ maxBodyBytes: MAX_BODY_BYTES });

type Json = Record<string, unknown>;
const paths = document.paths as Record<string, Record<string, Json>>;
const operation = (method: string, honoPath: string): Json | undefined => paths[openApiPath(honoPath)]?.[method.toLowerCase()];
const jsonBodySchema = (op: Json | undefined) => ((op?.requestBody as Json | undefined)?.content as Record<string, { schema: Json }> | undefined)?.['application/json']?.schema;

/** Sign-in is part of the dashboard (HTML and redirects), not of the JSON API. */
const UNDOCUMENTED = /^\/auth\//;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('describes every route the app serves, and no route it does not', () => {
    const served = [...new Set(app.routes.filter((r) => r.method !== 'ALL' && !UNDOCUMENTED.test(r.path)).map((r) => `${r.method} ${r.path}`))].sort();
    const described = ROUTE_DOCS.map((r) => `${r.method} ${r.path}`).sort();
    expect(served.filter((r) => !described.includes(r)), 'routes without a description in functions/api/openapi/routes.ts').toEqual([]);
    expect(described.filter((r) => !served.includes(r)), 'descriptions of routes the app does not serve').toEqual([]);
    for (const route of ROUTE_DOCS) expect(operation(route.method, route.path), `${route.method} ${route.path}`).toBeDefined();
  });

  it('generates POST /v1/releases from releaseRequestSchema: app and image required, nothing unknown', () => {
    const schema = jsonBodySchema(operation('POST', '/v1/releases'));
    expect(schema).toMatchObject({ type: 'object', required: expect.arrayContaining(['app', 'image']), additionalProperties: false });
    expect(Object.keys(schema?.properties as Json)).toEqual(expect.arrayContaining(['app', 'image', 'commit', 'committedAt', 'author', 'labels', 'comment', 'approvers', 'breakGlass']));
    // Input shape: a field with a default is not required.
    expect(schema?.required).not.toContain('labels');
    expect((schema?.properties as Record<string, Json>).breakGlass).toMatchObject({ required: ['justification'], additionalProperties: false });
  });

  it('has a request body exactly where the route takes one, and the hostile-input table\'s valid bodies fit it', () => {
    for (const route of ROUTES.filter((r) => !UNDOCUMENTED.test(r.path))) {
      const op = operation(route.method, route.path);
      const what = `${route.method} ${route.path}`;
      const content = (op?.requestBody as Json | undefined)?.content as Json | undefined;
      expect(Object.keys(content ?? {}), what).toEqual(route.json ? ['application/json'] : route.form ? ['application/x-www-form-urlencoded'] : []);
      const schema = jsonBodySchema(op);
      if (!route.json || !schema?.properties) continue;
      const valid = route.json.valid as Json;
      // Every field of the valid example is documented, and every required field is in it.
      expect(Object.keys(schema.properties as Json), what).toEqual(expect.arrayContaining(Object.keys(valid)));
      expect(Object.keys(valid), what).toEqual(expect.arrayContaining((schema.required as string[] | undefined) ?? []));
      expect(schema.additionalProperties, what).toBe(false);
    }
  });

  it('secures /v1 with the bearer token, and documents the signed links and public routes as needing none', () => {
    expect((document.components as Json).securitySchemes).toEqual({ bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    for (const route of ROUTE_DOCS) {
      const security = operation(route.method, route.path)?.security;
      const what = `${route.method} ${route.path}`;
      if (route.path.startsWith('/v1/')) expect(security, what).toEqual([{ bearerAuth: [] }]);
      else expect(security, what).toEqual([]);
      if (route.path.startsWith('/approve/')) expect(operation(route.method, route.path)?.description, what).toContain('signed link');
    }
  });

  it('lists every problem type of the error catalog, as the API answers them', () => {
    const listed = document['x-problem-types'] as Array<{ type: string; uri: string; status: number; title: string }>;
    for (const value of Object.values(errors)) {
      if (typeof value !== 'function' || !(value.prototype instanceof errors.GatekeeperError)) continue;
      const problem = toProblem(new (value as unknown as new (...args: unknown[]) => errors.GatekeeperError)('detail', []), '/x');
      const entry = listed.find((p) => p.uri === problem.type);
      expect(entry, problem.type).toBeDefined();
      expect(entry?.status, problem.type).toBe(problem.status);
      expect(entry?.title, problem.type).toContain(problem.title);
    }
    const internal = toProblem(new Error('boom'), '/x');
    expect(listed).toContainEqual({ type: INTERNAL_PROBLEM.slug, uri: internal.type, status: internal.status, title: internal.title });
    expect(listed.map((p) => p.type)).toEqual(problemCatalog().map((p) => p.slug));
    const problem = (document.components as { schemas: Record<string, Json> }).schemas.Problem;
    expect((problem?.properties as Record<string, Json>).type?.enum).toEqual(listed.map((p) => p.uri));
  });

  it('answers each route\'s problems with the Problem schema under its status', () => {
    const release = operation('POST', '/v1/releases')?.responses as Record<string, Json>;
    expect(Object.keys(release)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '413', '415', '422', '500', '503']));
    expect(release['400']).toMatchObject({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    expect(release['400']?.description).toContain('`image-not-pinned`');
    expect(Object.keys(operation('GET', '/healthz')?.responses as Json)).toEqual(['200', '500']);
  });
});

describe('GET /openapi.json and GET /docs', () => {
  it('serve the document publicly, cacheably, with an ETag', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(document)));
    const etag = response.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request('/openapi.json', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('render the reference as HTML under the app\'s CSP: no script, no inline style but the hashed sheet', async () => {
    const response = await app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(/script-src ([^;]*)/.exec(csp)?.[1]?.trim()).toBe("'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    const sheets = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    expect(sheets).toHaveLength(1);
    expect(csp).toContain(`'sha256-${createHash('sha256').update(sheets[0] ?? '', 'utf8').digest('base64')}'`);
    expect(html).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    // Every operation is on the page, with the generated fields of its body.
    for (const route of ROUTE_DOCS) expect(html).toContain(`${route.method} ${openApiPath(route.path)}`);
    expect(html).toContain('<code>breakGlass.justification</code>');
    expect(html).toContain('<code>image-not-pinned</code>');
  });
});
