import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, readOptionalJson } from './body';
import type { FaultSwitch } from './faults';
import { followPodLog } from './log-follow';
import { logRequest, podLog } from './logs';
import { mergePatch } from './patch';
import type { ApiPath } from './paths';
import { type Deployment, type KubeObject, type Pod, type ResourceType, RESOURCES, apiVersionOf, isRecord, resourceType } from './resources';
import { replicasOf, scaleOf } from './scale';
import { selectorsOf } from './selectors';
import { ApiError, badRequest, methodNotAllowed, pathNotFound } from './status';
import { conflict, type ObjectStore } from './store';
import { tableRequest } from './table';
import { toTable } from './table';
import { validateAndDefault } from './validation';
import type { WatchHub } from './watch';
import type { Workloads } from './workloads';

export interface RestContext {
  store: ObjectStore;
  workloads: Workloads;
  watches: WatchHub;
  faults: FaultSwitch;
}

/** An answer to write, or `streamed` when the handler answered on the response itself (a watch). */
export type Reply = { code: number; body: unknown } | { streamed: true };

const isTrue = (value: string | null) => value === 'true' || value === '1';

/** Serves one request on a resource path (parsed by paths.ts). */
export async function resourceRequest(ctx: RestContext, req: IncomingMessage, res: ServerResponse, url: URL, path: ApiPath): Promise<Reply> {
  const type = resourceType(path.group, path.plural);
  if (!type) throw pathNotFound(url.pathname);
  const { namespace, name, subresource } = path;
  if (namespace !== undefined && !type.namespaced) throw pathNotFound(url.pathname);
  if (name !== undefined && type.namespaced && namespace === undefined) throw pathNotFound(url.pathname);
  const method = req.method ?? 'GET';
  const params = url.searchParams;
  // Writes that only pretend would write for real here; refusing is safer.
  if (params.get('dryRun')) throw badRequest('dryRun is not supported by the simulator');
  if (subresource !== undefined) return subresourceRequest(ctx, req, res, type, namespace, name!, subresource, url);
  if (path.watch || isTrue(params.get('watch'))) {
    if (method !== 'GET') throw methodNotAllowed(method);
    allow(type, 'watch', method);
    const timeout = params.get('timeoutSeconds');
    ctx.watches.serve(res, {
      type,
      namespace,
      name,
      selector: selectorsOf(params),
      resourceVersion: params.get('resourceVersion') ?? undefined,
      timeoutSeconds: timeout && Number(timeout) > 0 ? Number(timeout) : undefined,
      sendInitialEvents: isTrue(params.get('sendInitialEvents')),
      table: tableRequest(req.headers.accept, params),
    });
    return { streamed: true };
  }
  if (name === undefined) return collection(ctx, type, namespace, method, req, params);
  return item(ctx, type, namespace, name, method, req, params);
}

function allow(type: ResourceType, verb: string, method: string): void {
  if (!type.verbs.includes(verb)) throw methodNotAllowed(method);
}

async function collection(ctx: RestContext, type: ResourceType, namespace: string | undefined, method: string, req: IncomingMessage, params: URLSearchParams): Promise<Reply> {
  if (method === 'GET') {
    allow(type, 'list', method);
    // `limit` is ignored: everything fits one page, so no `continue` token is ever needed.
    const items = ctx.store.list(type, namespace).filter(selectorsOf(params));
    const resourceVersion = ctx.store.currentResourceVersion();
    const table = tableRequest(req.headers.accept, params);
    if (table) return { code: 200, body: toTable(type, items, resourceVersion, table) };
    return { code: 200, body: { apiVersion: apiVersionOf(type), kind: `${type.kind}List`, metadata: { resourceVersion }, items } };
  }
  if (method !== 'POST' || (type.namespaced && namespace === undefined)) throw methodNotAllowed(method);
  allow(type, 'create', method);
  const object = placeIn(type, namespace, validateAndDefault(type, await readJson(req)));
  return { code: 201, body: ctx.workloads.create(type, object) };
}

async function item(ctx: RestContext, type: ResourceType, namespace: string | undefined, name: string, method: string, req: IncomingMessage, params: URLSearchParams): Promise<Reply> {
  if (method === 'GET') {
    allow(type, 'get', method);
    const object = ctx.store.getOrThrow(type, namespace, name);
    const table = tableRequest(req.headers.accept, params);
    return { code: 200, body: table ? toTable(type, [object], object.metadata.resourceVersion, table) : object };
  }
  if (method === 'DELETE') {
    allow(type, 'delete', method);
    const options = await readOptionalJson(req);
    const body = isRecord(options) ? options : {};
    const preconditions = isRecord(body.preconditions) ? (body.preconditions as { uid?: string; resourceVersion?: string }) : undefined;
    const policy = params.get('propagationPolicy') ?? (typeof body.propagationPolicy === 'string' ? body.propagationPolicy : undefined);
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}`);
    }
    return { code: 200, body: ctx.workloads.delete(type, namespace, name, { propagationPolicy: policy, preconditions }) };
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
  if (type.plural === 'jobs') keepJobSelector(ctx.store, namespace, object);
  // An injected lost race: only for an object that exists, as a real conflict needs one.
  if (ctx.store.get(type, namespace, name) && ctx.faults.conflictWrite()) throw conflict(type, name);
  const { object: stored, specChanged } = ctx.store.replace(type, object);
  ctx.workloads.afterWrite(type, stored, specChanged);
  return { code: 200, body: stored };
}

/** A Job's generated selector and template labels cannot be dropped by a replace (the API server calls them immutable). */
function keepJobSelector(store: ObjectStore, namespace: string | undefined, object: KubeObject): void {
  const existing = store.get(RESOURCES.jobs, namespace, object.metadata.name);
  if (!existing) return;
  const spec = object.spec as Record<string, unknown>;
  const before = existing.spec as Record<string, unknown>;
  object.spec = { ...spec, selector: before.selector, template: before.template };
}

async function subresourceRequest(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  subresource: string,
  url: URL,
): Promise<Reply> {
  const method = req.method ?? 'GET';
  if (type.plural === 'pods' && subresource === 'log') {
    if (method !== 'GET') throw methodNotAllowed(method);
    const pod = ctx.store.getOrThrow(type, namespace, name) as Pod;
    const request = logRequest(pod, url.searchParams);
    if (!request.follow) return { code: 200, body: podLog(pod, request) };
    followPodLog(ctx.store, res, pod, request);
    return { streamed: true };
  }
  if (type.plural !== 'deployments' || subresource !== 'scale') throw pathNotFound(url.pathname);
  const deployment = ctx.store.getOrThrow(type, namespace, name) as Deployment;
  if (method === 'GET') return { code: 200, body: scaleOf(deployment) };
  let scale: unknown;
  if (method === 'PUT') scale = await readJson(req);
  else if (method === 'PATCH') scale = mergePatch(scaleOf(deployment), await readJson(req), patchKind(req.headers['content-type']));
  else throw methodNotAllowed(method);
  const replicas = replicasOf(scale, name);
  const expected = isRecord(scale) && isRecord(scale.metadata) ? scale.metadata.resourceVersion : undefined;
  if ((expected && expected !== deployment.metadata.resourceVersion) || ctx.faults.conflictWrite()) throw conflict(type, name);
  const { object, specChanged } = ctx.store.replace(type, { ...deployment, spec: { ...deployment.spec, replicas } });
  ctx.workloads.afterWrite(type, object, specChanged);
  return { code: 200, body: scaleOf(ctx.store.getOrThrow(type, namespace, name) as Deployment) };
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
