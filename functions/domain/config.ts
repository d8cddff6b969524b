import { createHash } from 'node:crypto';
import { canonicalize } from './audit-chain';
import { compareQuantities, parseQuantity, type Quantity } from './config-quantity';
import { ValidationError } from './errors';

export { refuseSecrets, SecretInConfigError } from './config-secrets';

/**
 * Protected configuration of an app: a base plus one override per environment.
 * An environment's effective configuration is `mergeConfig(base, override)`.
 * Everything here is validated strictly because it ends up in a Deployment and
 * a ConfigMap that approvers sign off on: a typo must fail here, not in the cluster.
 */

/** A reference to a key of a Kubernetes Secret, used instead of a literal value. */
export interface SecretRef {
  secretRef: { name: string; key: string };
}
export type EnvValue = string | SecretRef;
export interface ResourceAmounts {
  cpu?: string;
  memory?: string;
}
export interface Resources {
  requests?: ResourceAmounts;
  limits?: ResourceAmounts;
}
export interface AppConfig {
  replicas?: number;
  env?: Record<string, EnvValue>;
  resources?: Resources;
  configMap?: Record<string, string>;
}

export const DEFAULT_MAX_REPLICAS = 100;
const MAX_ENV_VARS = 100;
const MAX_ENV_VALUE_BYTES = 32 * 1024;
// The API server refuses ConfigMaps of 1 MiB or more (etcd's object size limit).
const MAX_CONFIGMAP_BYTES = 1024 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECTIONS = ['requests', 'limits'] as const;
const RESOURCES = ['cpu', 'memory'] as const;

/**
 * Validates untrusted input (an API body, a stored item) into an AppConfig.
 * Every problem is reported at once, each naming its field path, so a user
 * fixes a draft in one round trip. Throws ValidationError.
 */
export function parseConfig(input: unknown, options: { maxReplicas?: number } = {}): AppConfig {
  const maxReplicas = options.maxReplicas ?? DEFAULT_MAX_REPLICAS;
  const problems: string[] = [];
  const root = fields(input, 'config', ['replicas', 'env', 'resources', 'configMap'], problems);
  const config: AppConfig = {};
  if (root) {
    if (root.replicas !== undefined) {
      const r = root.replicas;
      if (typeof r === 'number' && Number.isInteger(r) && r >= 0 && r <= maxReplicas) config.replicas = r;
      else problems.push(`replicas: must be an integer from 0 to ${maxReplicas}, got ${describe(r)}`);
    }
    if (root.env !== undefined) config.env = parseEnv(root.env, problems);
    if (root.resources !== undefined) config.resources = parseResources(root.resources, problems);
    if (root.configMap !== undefined) config.configMap = parseConfigMap(root.configMap, problems);
  }
  if (problems.length > 0) throw new ValidationError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

function parseEnv(value: unknown, problems: string[]): Record<string, EnvValue> {
  const entries = mapEntries(value, 'env', problems);
  if (entries.length > MAX_ENV_VARS) problems.push(`env: at most ${MAX_ENV_VARS} variables are allowed, got ${entries.length}`);
  const env: Array<[string, EnvValue]> = [];
  for (const [name, item] of entries) {
    if (!ENV_NAME.test(name)) {
      problems.push(`env[${JSON.stringify(name)}]: not a valid variable name (letters, digits and _, not starting with a digit)`);
      continue;
    }
    const path = `env.${name}`;
    if (typeof item === 'string') {
      if (utf8Length(item) > MAX_ENV_VALUE_BYTES) problems.push(`${path}: value is longer than 32 KiB`);
      else env.push([name, item]);
      continue;
    }
    const ref = parseSecretRef(item, path, problems);
    if (ref) env.push([name, ref]);
  }
  // fromEntries defines own properties, so a name like __proto__ stays plain data.
  return Object.fromEntries(env);
}

function parseSecretRef(value: unknown, path: string, problems: string[]): SecretRef | undefined {
  if (!isPlainObject(value)) {
    problems.push(`${path}: must be a string or {"secretRef": {"name": "...", "key": "..."}}, got ${describe(value)}`);
    return undefined;
  }
  const outer = fields(value, path, ['secretRef'], problems);
  if (!outer) return undefined;
  const ref = fields(outer.secretRef, `${path}.secretRef`, ['name', 'key'], problems);
  if (!ref) return undefined;
  const { name, key } = ref;
  const before = problems.length;
  if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    problems.push(`${path}.secretRef.name: must be a Secret name (lowercase DNS-1123), got ${describe(name)}`);
  }
  if (!isDataKey(key)) problems.push(`${path}.secretRef.key: must match [-._a-zA-Z0-9]+, got ${describe(key)}`);
  return problems.length === before ? { secretRef: { name: name as string, key: key as string } } : undefined;
}

function parseResources(value: unknown, problems: string[]): Resources {
  const resources: Resources = {};
  const root = fields(value, 'resources', SECTIONS, problems);
  const parsed = new Map<string, Quantity>();
  for (const section of SECTIONS) {
    if (root?.[section] === undefined) continue;
    const amounts = fields(root[section], `resources.${section}`, RESOURCES, problems);
    if (!amounts) continue;
    const kept: ResourceAmounts = {};
    for (const resource of RESOURCES) {
      const text = amounts[resource];
      if (text === undefined) continue;
      const path = `resources.${section}.${resource}`;
      const quantity = typeof text === 'string' ? parseQuantity(text) : undefined;
      if (typeof text !== 'string' || !quantity) {
        const examples = resource === 'cpu' ? '"100m", "0.5" or "2"' : '"128Mi", "1Gi" or "500M"';
        problems.push(`${path}: ${describe(text)} is not a Kubernetes quantity (a string such as ${examples})`);
        continue;
      }
      kept[resource] = text;
      parsed.set(path, quantity);
    }
    resources[section] = kept;
  }
  for (const resource of RESOURCES) {
    const request = parsed.get(`resources.requests.${resource}`);
    const limit = parsed.get(`resources.limits.${resource}`);
    if (request && limit && compareQuantities(request, limit) > 0) {
      const [r, l] = [resources.requests?.[resource], resources.limits?.[resource]];
      problems.push(`resources.requests.${resource}: request "${r}" exceeds the limit resources.limits.${resource} "${l}"`);
    }
  }
  return resources;
}

function parseConfigMap(value: unknown, problems: string[]): Record<string, string> {
  const data: Array<[string, string]> = [];
  let size = 0;
  for (const [key, item] of mapEntries(value, 'configMap', problems)) {
    const path = `configMap[${JSON.stringify(key)}]`;
    if (!isDataKey(key)) problems.push(`${path}: key must match [-._a-zA-Z0-9]+ (at most 253 characters)`);
    else if (typeof item !== 'string') problems.push(`${path}: must be a string, got ${describe(item)}`);
    else data.push([key, item]);
    size += utf8Length(key) + (typeof item === 'string' ? utf8Length(item) : 0);
  }
  if (size >= MAX_CONFIGMAP_BYTES) problems.push(`configMap: total size is ${size} bytes; it must stay under 1 MiB (${MAX_CONFIGMAP_BYTES} bytes)`);
  return Object.fromEntries(data);
}

function isDataKey(key: unknown): key is string {
  return typeof key === 'string' && key.length <= 253 && key !== '.' && key !== '..' && DATA_KEY.test(key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** An object with only the allowed fields; reports and returns undefined otherwise. */
function fields(value: unknown, path: string, allowed: readonly string[], problems: string[]): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    problems.push(`${path}: must be an object, got ${describe(value)}`);
    return undefined;
  }
  const prefix = path === 'config' ? '' : `${path}.`;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${prefix}${key}: unknown field (expected ${allowed.join(', ')})`);
  }
  return value;
}

function mapEntries(value: unknown, path: string, problems: string[]): Array<[string, unknown]> {
  if (isPlainObject(value)) return Object.entries(value);
  problems.push(`${path}: must be an object, got ${describe(value)}`);
  return [];
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

// ---------------------------------------------------------------------------
// Merging and hashing

/**
 * Base merged with an environment's override: the override wins field by
 * field; env, configMap and resources.requests/limits merge per key. An
 * override can add or change keys but never remove one: to drop a key, remove
 * it from the base (and set it in the overrides that still need it).
 */
export function mergeConfig(base: AppConfig, override: AppConfig): AppConfig {
  const merged: AppConfig = {};
  const replicas = override.replicas ?? base.replicas;
  if (replicas !== undefined) merged.replicas = replicas;
  const env = mergeMaps(base.env, override.env);
  if (env) merged.env = env;
  if (base.resources || override.resources) {
    const resources: Resources = {};
    for (const section of SECTIONS) {
      const amounts = mergeMaps(base.resources?.[section], override.resources?.[section]);
      if (amounts) resources[section] = amounts;
    }
    merged.resources = resources;
  }
  const configMap = mergeMaps(base.configMap, override.configMap);
  if (configMap) merged.configMap = configMap;
  return merged;
}

function mergeMaps<T extends object>(base: T | undefined, override: T | undefined): T | undefined {
  if (!base && !override) return undefined;
  // Entries, not assignment: keeps keys like __proto__ as data, and skips explicit undefined.
  const entries = [...Object.entries(base ?? {}), ...Object.entries(override ?? {})].filter((entry) => entry[1] !== undefined);
  return Object.fromEntries(entries) as T;
}

/** Identifies a configuration by content: equal configs hash equal whatever their key order. */
export function configHash(config: AppConfig): string {
  return `sha256:${createHash('sha256').update(canonicalize(config), 'utf8').digest('hex')}`;
}
