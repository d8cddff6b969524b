import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson } from './body';
import { discovery } from './discovery';
import { parseApiPath } from './paths';
import { type Reply, type RestContext, resourceRequest } from './rest';
import { ApiError, badRequest, methodNotAllowed, pathNotFound, unauthorized } from './status';

export interface RouteContext extends RestContext {
  token: string;
  /** host:port, for the /api discovery document. */
  serverAddress: string;
  failingImages: Set<string>;
  log?: (line: string) => void;
}

/** The simulator's own control API lives under this prefix; no real API server serves it. */
const CONTROL_PREFIX = '/_simulator/';
export const FAILING_IMAGES_PATH = `${CONTROL_PREFIX}failing-images`;
export const FAULTS_PATH = `${CONTROL_PREFIX}faults`;

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

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
    route(ctx, method, url, req, res)
      .catch((error: unknown): Reply => {
        const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', String(error));
        return { code: apiError.code, body: apiError.toStatus() };
      })
      .then((reply) => {
        if ('streamed' in reply) return;
        const { code, body } = reply;
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(code, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
        res.end(text);
        if (MUTATING.has(method)) ctx.log?.(`k8s-simulator ${method} ${url.pathname} ${code}`);
      });
  };
}

async function route(ctx: RouteContext, method: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<Reply> {
  const path = url.pathname;
  if (method === 'GET' && HEALTH_PATHS.has(path)) return { code: 200, body: 'ok' };
  authenticate(req, ctx.token);
  if (path === FAILING_IMAGES_PATH) return failingImages(ctx, method, req);
  if (path === FAULTS_PATH) return faults(ctx, method, req);
  if (method === 'GET') {
    const document = discovery(path.replace(/\/$/, ''), ctx.serverAddress);
    if (document) return { code: 200, body: document };
  }
  const apiPath = parseApiPath(path);
  if (!apiPath) throw pathNotFound(path);
  return resourceRequest(ctx, req, res, url, apiPath);
}

const isControlOrHealth = (path: string) => HEALTH_PATHS.has(path) || path.startsWith(CONTROL_PREFIX);

function authenticate(req: IncomingMessage, token: string): void {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized();
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
