import { createHash } from 'node:crypto';
import { toJSONSchema } from 'zod/mini';
import type * as z from 'zod/mini';
import { problemCatalog, type ProblemType } from './problems';
import { PATH_PARAMS, ROUTE_DOCS, type BodyDoc, type JsonSchema, type ParamDoc, type RouteDoc, type SuccessDoc } from './routes';

/** `/v1/releases/:id` as OpenAPI writes it: `/v1/releases/{id}`. */
export const openApiPath = (honoPath: string): string => honoPath.replace(/:(\w+)/g, '{$1}');

const pathParams = (honoPath: string): string[] => [...honoPath.matchAll(/:(\w+)/g)].map((m) => m[1] ?? '');

/**
 * A request body schema as JSON Schema (2020-12, the dialect of OpenAPI 3.1),
 * converted by zod from the schema the route validates with. What JSON Schema
 * cannot say (refinements such as the name rule or the text rules) is checked
 * by the server all the same and answered as a `validation` problem.
 */
export function requestSchema(schema: z.ZodMiniType): JsonSchema {
  const { $schema: _dialect, ...rest } = toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** The problems every route of its kind can answer with, besides its own. */
function problemsOf(route: RouteDoc): string[] {
  const slugs = new Set<string>();
  if (route.auth === 'token') slugs.add('unauthenticated');
  if (pathParams(route.path).length > 0) slugs.add('validation');
  if (route.body) ['validation', 'unsupported-media-type', 'payload-too-large'].forEach((s) => slugs.add(s));
  route.problems.forEach((s) => slugs.add(s));
  if (route.auth !== 'none' || route.path === '/readyz') slugs.add('dependency-unavailable');
  slugs.add('internal');
  return [...slugs];
}

function bodyOf(body: BodyDoc): JsonSchema {
  if (body.kind === 'form') {
    return {
      description: body.description,
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: { type: 'object', properties: Object.fromEntries(body.fields.map((f) => [f, { type: 'string' }])), additionalProperties: false },
        },
      },
    };
  }
  const schema = body.schema ? requestSchema(body.schema) : { type: 'object', description: body.description };
  return {
    ...(body.description ? { description: body.description } : {}),
    required: true,
    content: { 'application/json': { schema } },
  };
}

function successOf(success: SuccessDoc): [string, JsonSchema] {
  const schema = success.schema ? { schema: success.schema } : {};
  const kind = success.content ?? 'json';
  const content =
    kind === 'json' ? { 'application/json': schema }
    : kind === 'html' ? { 'text/html': {} }
    : kind === 'html-or-json' ? { 'text/html': {}, 'application/json': schema }
    : kind === 'file' ? { 'application/x-ndjson': {}, 'text/csv': {} }
    : undefined;
  const headers = success.headers ? { headers: Object.fromEntries(Object.entries(success.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {};
  return [String(success.status), { description: success.description, ...(content ? { content } : {}), ...headers }];
}

function problemResponses(route: RouteDoc, catalog: Map<string, ProblemType>): Record<string, JsonSchema> {
  const byStatus = new Map<number, ProblemType[]>();
  for (const slug of problemsOf(route)) {
    const problem = catalog.get(slug);
    if (!problem) throw new Error(`${route.method} ${route.path} names problem type "${slug}", which the error catalog does not have`);
    byStatus.set(problem.status, [...(byStatus.get(problem.status) ?? []), problem]);
  }
  const responses: Record<string, JsonSchema> = {};
  for (const [status, problems] of [...byStatus].sort(([a], [b]) => a - b)) {
    const retry = status === 429 || status === 503 ? { headers: { 'Retry-After': { description: 'Seconds until a retry may succeed.', schema: { type: 'integer' } } } } : {};
    responses[String(status)] = {
      description: problems.map((p) => `\`${p.slug}\` (${p.titles.join('; ')})`).join(', '),
      content: { 'application/problem+json': { schema: PROBLEM_REF } },
      ...retry,
    };
  }
  return responses;
}

function parameterOf(name: string, where: 'path' | 'query' | 'header', doc: ParamDoc): JsonSchema {
  return { name, in: where, description: doc.description, required: where === 'path' || doc.required === true, schema: doc.schema };
}

const operationId = (route: RouteDoc): string =>
  route.method.toLowerCase() +
  route.path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');

function operationOf(route: RouteDoc, catalog: Map<string, ProblemType>): JsonSchema {
  const parameters = [
    ...pathParams(route.path).map((name) => {
      const doc = route.params?.[name] ?? PATH_PARAMS[name];
      if (!doc) throw new Error(`${route.method} ${route.path}: the path parameter "${name}" has no description`);
      return parameterOf(name, 'path', doc);
    }),
    ...(route.query ?? []).map((q) => parameterOf(q.name, 'query', q)),
    ...(route.headers ?? []).map((h) => parameterOf(h.name, 'header', h)),
  ];
  const security = route.auth === 'token' ? [{ bearerAuth: [] }] : [];
  const auth =
    route.auth === 'link' ? '\n\nNo bearer token: the signed link in the path is the credential (it names the approver and expires with the request).'
    : route.auth === 'none' ? '\n\nPublic: no token.'
    : '';
  return {
    operationId: operationId(route),
    tags: [route.tag],
    summary: route.summary,
    ...(route.description || auth ? { description: (route.description ?? '') + auth } : {}),
    security,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: bodyOf(route.body) } : {}),
    responses: { ...Object.fromEntries(route.responses.map(successOf)), ...problemResponses(route, catalog) },
  };
}

const description = (maxBodyBytes: number) => `Approval-gated Kubernetes deployments. Every \`/v1\` route needs \`Authorization: Bearer <token>\` (exactly that: one space, one token).
The emailed approval links (\`/approve/{token}\`) are signed URLs and need no token.

Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) \`application/problem+json\` (\`type\`, \`title\`, \`status\`, \`detail\`, \`instance\`);
a browser (\`Accept: text/html\`) gets the same as a small HTML page. \`x-problem-types\` lists every type. A known path with another
method answers \`405 method-not-allowed\` with \`Allow\`. JSON bodies: \`Content-Type: application/json\` (UTF-8), at most ${maxBodyBytes / 1024} KiB (\`413 payload-too-large\`), nested at most
32 levels, no \`__proto__\`/\`constructor\`/\`prototype\` keys, no control or bidirectional characters in any key or string; unknown fields are refused.
The request schemas here are generated from the schemas that validate the requests; rules JSON Schema cannot express (the name rule's reserved
words, text rules) are checked all the same and answered as \`validation\` problems.`;

export interface DocumentOptions {
  /** The app's body limit (app.ts passes MAX_BODY_BYTES). */
  maxBodyBytes: number;
  routes?: readonly RouteDoc[];
  problems?: readonly ProblemType[];
}

/** The OpenAPI 3.1 document of the API, built from ROUTE_DOCS and the error catalog. */
export function buildOpenApiDocument({ maxBodyBytes, routes = ROUTE_DOCS, problems = problemCatalog() }: DocumentOptions): JsonSchema {
  const catalog = new Map(problems.map((p) => [p.slug, p]));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = (paths[openApiPath(route.path)] ??= {});
    const method = route.method.toLowerCase();
    if (path[method]) throw new Error(`${route.method} ${route.path} is described twice`);
    path[method] = operationOf(route, catalog);
  }
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.1',
    info: { title: 'Gatekeeper API', version: 'v1', description: description(maxBodyBytes) },
    tags,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A Gatekeeper API token (`POST /v1/tokens`); only its SHA-256 is stored.' },
      },
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details.',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string', format: 'uri', enum: problems.map((p) => p.uri), description: 'The problem type; see `x-problem-types`.' },
            title: { type: 'string' },
            status: { type: 'integer', enum: [...new Set(problems.map((p) => p.status))].sort((a, b) => a - b) },
            detail: { type: 'string', description: 'What is wrong with this request, for people.' },
            instance: { type: 'string', description: 'The request path.' },
          },
        },
      },
    },
    'x-problem-types': problems.map((p) => ({ type: p.slug, uri: p.uri, status: p.status, title: p.titles.join('; ') })),
  };
}

export interface BuiltDocument {
  document: JsonSchema;
  json: string;
  /** A strong ETag of `json`. */
  etag: string;
}

let built: BuiltDocument | undefined;

/** Built once per process, on first use (not at cold start). */
export function openApiDocument(maxBodyBytes: number): BuiltDocument {
  if (!built) {
    const document = buildOpenApiDocument({ maxBodyBytes });
    const json = JSON.stringify(document);
    built = { document, json, etag: `"${createHash('sha256').update(json, 'utf8').digest('base64url').slice(0, 27)}"` };
  }
  return built;
}
