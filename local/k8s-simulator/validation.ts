import { type KubeObject, type ResourceType, apiVersionOf, isRecord } from './resources';
import { ApiError, badRequest } from './status';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** ConfigMap and Secret data keys, as Kubernetes validates them. */
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

type Invalid = (why: string) => ApiError;

/**
 * Checks the user-supplied parts of an object and fills the defaults the real
 * API server would (Deployment replicas = 1 and strategy, Job counts, Namespace
 * status, Secret type; a Secret's stringData goes into its data). Throws
 * ApiError 422 Invalid (400 for Secret data that is not base64). Job selectors and labels depend on the
 * uid and are set at create time (jobs.ts).
 */
export function validateAndDefault(type: ResourceType, body: unknown): KubeObject {
  const invalidFor = (name: string): Invalid => (why) =>
    new ApiError(422, 'Invalid', `${type.kind} "${name}" is invalid: ${why}`, { name, group: type.group, kind: type.kind });
  if (!isRecord(body) || !isRecord(body.metadata)) throw invalidFor('')('metadata: Required value');
  const name = body.metadata.name;
  if (typeof name !== 'string' || name.length > 253 || !NAME.test(name)) {
    throw invalidFor(String(name ?? ''))('metadata.name: Invalid value: must be a lowercase RFC 1123 subdomain');
  }
  const invalid = invalidFor(name);
  const object = { ...body, apiVersion: apiVersionOf(type), kind: type.kind } as KubeObject;
  switch (type.plural) {
    case 'namespaces':
      object.spec = { finalizers: ['kubernetes'] };
      object.status = { phase: 'Active' };
      break;
    case 'configmaps':
      checkDataMap(body.data, 'data', invalid);
      break;
    case 'secrets': {
      const secret = secretFields(body, invalid);
      delete object.stringData;
      if (secret.data) object.data = secret.data;
      else delete object.data;
      object.type = secret.type;
      break;
    }
    case 'deployments':
      object.spec = deploymentSpec(body.spec, invalid);
      break;
    case 'jobs':
      object.spec = jobSpec(body.spec, invalid);
      break;
    default:
      // Pods, ReplicaSets and Events are written by the simulator's controllers only.
      break;
  }
  return object;
}

/** Checks a ConfigMap's or Secret's `data` (or a Secret's `stringData`): config keys to strings. */
function checkDataMap(data: unknown, field: string, invalid: Invalid): asserts data is Record<string, string> | undefined {
  if (data === undefined) return;
  if (!isRecord(data) || Object.values(data).some((v) => typeof v !== 'string')) throw invalid(`${field}: values must be strings`);
  const badKey = Object.keys(data).find((k) => !CONFIG_KEY.test(k) || k.length > 253 || k === '.' || k === '..');
  if (badKey !== undefined) {
    throw invalid(`${field}[${JSON.stringify(badKey)}]: Invalid value: a valid config key must consist of alphanumeric characters, '-', '_' or '.'`);
  }
}

/** Standard base64 with padding, as Go's encoding/json decodes []byte (line breaks are skipped). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_SECRET_BYTES = 1024 * 1024;

/**
 * A Secret's `data` and `type` as the API server stores them: `data` values
 * must be base64 (re-encoded canonically, as decoding and encoding []byte
 * does); the write-only `stringData` is encoded into `data`, its keys winning,
 * and dropped; `type` defaults to Opaque; at most 1 MiB of keys and values.
 */
function secretFields(body: Record<string, unknown>, invalid: Invalid): { data?: Record<string, string>; type: string } {
  const { data, stringData, type } = body;
  checkDataMap(data, 'data', invalid);
  checkDataMap(stringData, 'stringData', invalid);
  if (type !== undefined && typeof type !== 'string') throw invalid('type: must be a string');
  const decoded = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(data ?? {})) {
    const compact = value.replace(/[\r\n]/g, '');
    if (!BASE64.test(compact)) throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data in data[${JSON.stringify(key)}]`);
    decoded.set(key, Buffer.from(compact, 'base64'));
  }
  for (const [key, value] of Object.entries(stringData ?? {})) decoded.set(key, Buffer.from(value, 'utf8'));
  const size = [...decoded].reduce((sum, [key, value]) => sum + key.length + value.length, 0);
  if (size > MAX_SECRET_BYTES) throw invalid(`data: Too long: must have at most ${MAX_SECRET_BYTES} bytes`);
  // The API server omits an empty data map.
  const encoded = decoded.size > 0 ? Object.fromEntries([...decoded].map(([key, value]) => [key, value.toString('base64')])) : undefined;
  return { data: encoded, type: type || 'Opaque' };
}

/** Checks `spec.template.spec.containers` (each needs a name and an image). */
function checkContainers(spec: Record<string, unknown>, invalid: Invalid): void {
  const template = spec.template;
  const podSpec = isRecord(template) ? template.spec : undefined;
  const containers = isRecord(podSpec) ? podSpec.containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0) throw invalid('spec.template.spec.containers: Required value');
  for (const [i, c] of containers.entries()) {
    if (!isRecord(c) || typeof c.name !== 'string' || !c.name || typeof c.image !== 'string' || !c.image) {
      throw invalid(`spec.template.spec.containers[${i}]: name and image are required`);
    }
  }
}

function nonNegativeInteger(value: unknown, field: string, invalid: Invalid): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid(`${field}: must be a non-negative integer`);
  return value;
}

function deploymentSpec(spec: unknown, invalid: Invalid): Record<string, unknown> {
  if (!isRecord(spec)) throw invalid('spec.template.spec.containers: Required value');
  checkContainers(spec, invalid);
  const replicas = nonNegativeInteger(spec.replicas, 'spec.replicas', invalid) ?? 1;
  nonNegativeInteger(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', invalid);
  // The API server's defaults; `kubectl describe` prints the strategy. A
  // partial rollingUpdate is completed, as kubectl dereferences both fields.
  const strategy = isRecord(spec.strategy) ? spec.strategy : {};
  const type = strategy.type ?? 'RollingUpdate';
  const rollingUpdate = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate : {};
  const defaultedStrategy =
    type === 'RollingUpdate' ? { ...strategy, type, rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%', ...rollingUpdate } } : { ...strategy, type };
  return { ...spec, replicas, strategy: defaultedStrategy, revisionHistoryLimit: spec.revisionHistoryLimit ?? 10 };
}

function jobSpec(spec: unknown, invalid: Invalid): Record<string, unknown> {
  if (!isRecord(spec)) throw invalid('spec.template.spec.containers: Required value');
  checkContainers(spec, invalid);
  const podSpec = (spec.template as { spec: Record<string, unknown> }).spec;
  if (podSpec.restartPolicy !== 'Never' && podSpec.restartPolicy !== 'OnFailure') {
    throw invalid('spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
  }
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && (typeof deadline !== 'number' || !Number.isInteger(deadline) || deadline <= 0)) {
    throw invalid('spec.activeDeadlineSeconds: must be a positive integer');
  }
  return {
    ...spec,
    parallelism: nonNegativeInteger(spec.parallelism, 'spec.parallelism', invalid) ?? 1,
    completions: nonNegativeInteger(spec.completions, 'spec.completions', invalid) ?? 1,
    backoffLimit: nonNegativeInteger(spec.backoffLimit, 'spec.backoffLimit', invalid) ?? 6,
    completionMode: spec.completionMode ?? 'NonIndexed',
    suspend: spec.suspend ?? false,
  };
}
