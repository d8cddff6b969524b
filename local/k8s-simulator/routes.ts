import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RolloutController } from './controller';
import { discovery } from './discovery';
import type { FaultSwitch } from './faults';
import { mergePatch } from './patch';
import { type Deployment, type KubeObject, type Plural, type ResourceType, RESOURCES, apiVersionOf, validateAndDefault } from './resources';
import { ApiError, badRequest, methodNotAllowed, pathNotFound, unauthorized } from './status';
import { conflict, type ObjectStore } from './store';

export interface RouteContext {
  store: ObjectStore;
  controller: RolloutController;
  token: string;
  /** host:port, for the /api discovery document. */
  serverAddress: string;
  failingImages: Set<string>;
  faults: FaultSwitch;
  log?: (line: string) => void;
}

interface Reply {
  code: number;
  body: unknown;
}

/** The simulator's own control API lives under this prefix; no real API server serves it. */
const CONTROL_PREFIX = '/_simulator/';
export const FAILING_IMAGES_PATH = `${CONTROL_PREFIX}failing-images`;
export const FAULTS_PATH = `${CONTROL_PREFIX}faults`;

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** `/api/v1/...` or `/apis/apps/v1/...`, optionally namespaced, optionally one object. */
const RESOURCE_PATH = /^\/(?:api\/v1|apis\/(apps)\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?\/?$/;

export function createRequestHandler(ctx: RouteContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator');
    // A dead API server answers nothing, not even 401; health and control paths
    // stay up so that a test can switch the fault off again.
    if (!isControlOrHealth(url.pathname) && ctx.faults.dropRequest()) {
      if (MUTATING.has(method)) ctx.log?.(`k8s-simulator ${method} ${url.pathname} dropped (fault: unreachable)`);
      req.socket.destroy();
      return;
    }
    route(ctx, method, url, req)
      .catch((error: unknown) => {
        const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', String(error));
        return { code: apiError.code, body: apiError.toStatus() };
      })
      .then(({ code, body }) => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(code, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
        res.end(text);
        if (MUTATING.has(method)) ctx.log?.(`k8s-simulator ${method} ${url.pathname} ${code}`);
      });
  };
}

async function route(ctx: RouteContext, method: string, url: URL, req: IncomingMessage): Promise<Reply> {
  const path = url.pathname;
  if (method === 'GET' && HEALTH_PATHS.has(path)) return { code: 200, body: 'ok' };
  authenticate(req, ctx.token);
  if (path === FAILING_IMAGES_PATH) return failingImages(ctx, method, req);
  if (path === FAULTS_PATH) return faults(ctx, method, req);
  if (method === 'GET') {
    const document = discovery(path.replace(/\/$/, ''), ctx.serverAddress);
    if (document) return { code: 200, body: document };
  }
  const match = RESOURCE_PATH.exec(path);
  const type = match ? RESOURCES[match[3] as Plural] : undefined;
  if (!match || !type || type.group !== (match[1] ?? '')) throw pathNotFound(path);
  const namespace = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  const name = match[4] === undefined ? undefined : decodeURIComponent(match[4]);
  if (namespace !== undefined && !type.namespaced) throw pathNotFound(path);
  if (['true', '1'].includes(url.searchParams.get('watch') ?? '')) throw badRequest('watch is not supported by the simulator');
  if (name === undefined) return collection(ctx, type, namespace, method, req);
  if (type.namespaced && namespace === undefined) throw pathNotFound(path);
  return item(ctx, type, namespace, name, method, req);
}

const isControlOrHealth = (path: string) => HEALTH_PATHS.has(path) || path.startsWith(CONTROL_PREFIX);

function authenticate(req: IncomingMessage, token: string): void {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized();
}

function allow(type: ResourceType, verb: string, method: string): void {
  if (!type.verbs.includes(verb)) throw methodNotAllowed(method);
}

async function collection(ctx: RouteContext, type: ResourceType, namespace: string | undefined, method: string, req: IncomingMessage): Promise<Reply> {
  if (method === 'GET') {
    allow(type, 'list', method);
    const items = ctx.store.list(type, namespace);
    const metadata = { resourceVersion: ctx.store.currentResourceVersion() };
    return { code: 200, body: { apiVersion: apiVersionOf(type), kind: `${type.kind}List`, metadata, items } };
  }
  if (method !== 'POST' || (type.namespaced && namespace === undefined)) throw methodNotAllowed(method);
  allow(type, 'create', method);
  const object = placeIn(type, namespace, validateAndDefault(type, await readJson(req)));
  const created = ctx.store.create(type, object);
  if (type.plural === 'deployments') ctx.controller.onSpecChange(created as Deployment);
  return { code: 201, body: created };
}

async function item(ctx: RouteContext, type: ResourceType, namespace: string | undefined, name: string, method: string, req: IncomingMessage): Promise<Reply> {
  if (method === 'GET') {
    allow(type, 'get', method);
    return { code: 200, body: ctx.store.getOrThrow(type, namespace, name) };
  }
  let incoming: unknown;
  if (method === 'PUT') {
    allow(type, 'update', method);
    incoming = await readJson(req);
  } else if (method === 'PATCH') {
    allow(type, 'patch', method);
    const strategic = patchKind(req.headers['content-type']);
    const patch = await readJson(req);
    incoming = mergePatch(ctx.store.getOrThrow(type, namespace, name), patch, strategic);
  } else {
    throw methodNotAllowed(method);
  }
  const object = placeIn(type, namespace, validateAndDefault(type, incoming));
  if (object.metadata.name !== name) {
    throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
  }
  // An injected lost race: only for an object that exists, as a real conflict needs one.
  if (ctx.store.get(type, namespace, name) && ctx.faults.conflictWrite()) throw conflict(type, name);
  const { object: stored, specChanged } = ctx.store.replace(type, object);
  if (specChanged) ctx.controller.onSpecChange(stored as Deployment);
  return { code: 200, body: stored };
}

/** Puts a namespaced object in the request's namespace (400 when its own metadata names another). */
function placeIn(type: ResourceType, namespace: string | undefined, object: KubeObject): KubeObject {
  if (!type.namespaced) {
    delete object.metadata.namespace;
    return object;
  }
  if (object.metadata.namespace && object.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  object.metadata = { ...object.metadata, namespace };
  return object;
}

/** true for strategic merge patch, false for JSON merge patch; 415 for anything else. */
function patchKind(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/merge-patch+json') return false;
  if (mediaType === 'application/strategic-merge-patch+json') return true;
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json (got ${mediaType || 'none'})`);
}

async function failingImages(ctx: RouteContext, method: string, req: IncomingMessage): Promise<Reply> {
  if (method === 'PUT') {
    const body = (await readJson(req)) as { images?: unknown };
    const images = body?.images;
    if (!Array.isArray(images) || images.some((i) => typeof i !== 'string')) throw badRequest('expected {"images": ["<image>", ...]}');
    ctx.failingImages.clear();
    for (const image of images as string[]) ctx.failingImages.add(image);
  } else if (method !== 'GET') {
    throw methodNotAllowed(method);
  }
  return { code: 200, body: { images: [...ctx.failingImages].sort() } };
}

async function faults(ctx: RouteContext, method: string, req: IncomingMessage): Promise<Reply> {
  if (method === 'PUT') return { code: 200, body: ctx.faults.set(await readJson(req)) };
  if (method === 'DELETE') return { code: 200, body: ctx.faults.clear() };
  if (method === 'GET') return { code: 200, body: ctx.faults.current() };
  throw methodNotAllowed(method);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'RequestEntityTooLarge', 'request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}
