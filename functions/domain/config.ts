import { createHash } from 'node:crypto';
import { canonicalize } from './audit-chain';
import { GatekeeperError, ValidationError } from './errors';

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

// ---------------------------------------------------------------------------
// Kubernetes quantities

/** An exact quantity: digits × 10^pow10 × 2^pow2, so comparisons never round. */
export interface Quantity {
  digits: bigint;
  pow10: number;
  pow2: number;
}

// Kubernetes' grammar minus the sign: a negative request or limit is never valid.
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;
const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Parses "100m", "0.5", "128Mi", "1e3"…; undefined when the text is not a quantity. */
export function parseQuantity(text: string): Quantity | undefined {
  if (text.length > 64) return undefined;
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, number = '', binary, decimal, exponent] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let pow10 = -fraction.length;
  let pow2 = 0;
  if (binary) pow2 = BINARY_SUFFIX[binary] ?? 0;
  else if (decimal) pow10 += DECIMAL_SUFFIX[decimal] ?? 0;
  else if (exponent !== undefined) {
    const e = Number(exponent);
    // Bounded so comparing two quantities never builds an enormous bigint.
    if (Math.abs(e) > 100) return undefined;
    pow10 += e;
  }
  return { digits: BigInt(whole + fraction), pow10, pow2 };
}

/** Negative, zero or positive as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  let left = a.digits;
  let right = b.digits;
  // Move each exponent difference onto one side so both stay integers.
  const d10 = a.pow10 - b.pow10;
  if (d10 >= 0) left *= 10n ** BigInt(d10);
  else right *= 10n ** BigInt(-d10);
  const d2 = a.pow2 - b.pow2;
  if (d2 >= 0) left *= 2n ** BigInt(d2);
  else right *= 2n ** BigInt(-d2);
  return left < right ? -1 : left > right ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Validation

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
// Secrets, merging, hashing

export class SecretInConfigError extends GatekeeperError {
  readonly type = 'secret-in-config';
  readonly status = 422;
  readonly title = 'Secrets do not belong in configuration';
  override readonly name = 'SecretInConfig';
  /** Paths of the offending fields (never their values). */
  readonly fields: string[];
  constructor(fields: string[], detail: string) {
    super(detail);
    this.fields = fields;
  }
}

/**
 * Refuses a configuration that carries credentials. Configuration is shown in
 * diffs, approval emails and the audit log, so a secret in it leaks to everyone
 * who reviews a change; it belongs in a Kubernetes Secret, referenced from env.
 * Every offending field is listed, by path only: the message must not leak the value.
 */
export function refuseSecrets(config: AppConfig): void {
  const findings: Array<[path: string, reason: string]> = [];
  for (const [name, value] of Object.entries(config.env ?? {})) {
    if (typeof value !== 'string' || value === '') continue;
    const reason = credentialShape(value) ?? (secretName(name, 'strong') ? 'secret-looking name with a literal value' : randomUnderSecretName(name, value));
    if (reason) findings.push([`env.${name}`, reason]);
  }
  for (const [key, value] of Object.entries(config.configMap ?? {})) {
    // ConfigMap keys are often file names ("token-config.yaml"), so only the value decides here.
    const reason = credentialShape(value) ?? randomUnderSecretName(key, value);
    if (reason) findings.push([`configMap[${JSON.stringify(key)}]`, reason]);
  }
  if (findings.length === 0) return;
  const listed = findings.map(([path, reason]) => `${path} (${reason})`).join('; ');
  throw new SecretInConfigError(
    findings.map(([path]) => path),
    `Secrets do not belong in configuration: ${listed}. Store each in a Kubernetes Secret and reference it from env as {"secretRef": {"name": "...", "key": "..."}}.`,
  );
}

const CREDENTIAL_SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/, 'looks like an AWS access key id'],
  [/-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/, 'contains a private key'],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/, 'looks like a JSON Web Token'],
  [/\bgh[pousr]_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{20,}/, 'looks like a GitHub token'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}/, 'looks like a Slack token'],
];
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]+:([^\s/?#@]+)@/gi;
// Kubernetes expands $(VAR) in env values: "postgres://app:$(DB_PASSWORD)@db" is the right way to build a URL from a secretRef.
const VARIABLE_REFERENCE = /^(?:\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\})$/;

function credentialShape(value: string): string | undefined {
  for (const [pattern, reason] of CREDENTIAL_SHAPES) if (pattern.test(value)) return reason;
  for (const match of value.matchAll(URL_CREDENTIALS)) {
    if (!VARIABLE_REFERENCE.test(match[1] ?? '')) return 'URL with an embedded password';
  }
  return undefined;
}

// Words that name a secret outright: any literal value under such a name is refused.
const STRONG_WORDS = new Set(['PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'APIKEY', 'PRIVATEKEY', 'ACCESSKEY', 'SECRETKEY']);
const STRONG_PAIRS = new Set(['API KEY', 'PRIVATE KEY', 'ACCESS KEY', 'SIGNING KEY', 'ENCRYPTION KEY', 'MASTER KEY']);
// Words too common to refuse on their own ("KEY_PREFIX"), but suspicious with a random-looking value.
const WEAK_WORDS = new Set(['KEY', 'AUTH', 'PASS', 'PWD', 'SALT', 'HMAC', 'SIGNATURE', 'SESSION', 'COOKIE', 'CERT', 'DSN']);
// A last word that makes the name describe a secret rather than hold it: TOKEN_FILE, SECRET_NAME, PASSWORD_MIN_LENGTH.
const METADATA_SUFFIXES = new Set(['FILE', 'PATH', 'DIR', 'NAME', 'TTL', 'URL', 'URI', 'ENDPOINT', 'HEADER', 'TYPE', 'LENGTH', 'EXPIRY', 'TIMEOUT', 'SECONDS', 'ENABLED', 'REF']);

function nameWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
}

function secretName(name: string, strength: 'strong' | 'weak'): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1] ?? '';
  const strong =
    words.some((word, i) => STRONG_WORDS.has(word) || STRONG_PAIRS.has(`${word} ${words[i + 1] ?? ''}`)) ||
    // DB_PASS and SMTP_PWD, but not PWD itself (the shell's working directory).
    (words.length > 1 && (last === 'PASS' || last === 'PWD'));
  if (strength === 'strong') return strong && !METADATA_SUFFIXES.has(last);
  return strong || words.some((word) => WEAK_WORDS.has(word));
}

function randomUnderSecretName(name: string, value: string): string | undefined {
  return secretName(name, 'weak') && looksRandom(value) ? 'random-looking value under a secret-looking name' : undefined;
}

/** Base64 or hex of at least 32 characters with the entropy of generated key material. */
function looksRandom(value: string): boolean {
  if (value.length < 32 || !/^[A-Za-z0-9+/_=-]+$/.test(value) || !/[A-Za-z]/.test(value) || !/\d/.test(value)) return false;
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / value.length) * Math.log2(count / value.length);
  // Random hex tops out at 4 bits a character, random base64 near 6.
  return bits >= (/^[0-9a-fA-F]+$/.test(value) ? 3 : 4);
}

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
