import type { SecretRef } from './cluster';
import type { CheckCommon, CheckDefinition, Comparison, HttpCheck, JobCheck, PrometheusCheck } from './checks';
import { ValidationError } from './errors';
import { parseJsonPath } from './json-path';
import { isName, isPrototypeKey, NAME_RULE, preview as namePreview } from './names';
import { checkText } from './text';

/** Parsing a policy's `checks` (see checks.ts for the types), and the limits that bound how long they run. */

export const MAX_CHECKS = 10;
/** One phase's checks run in one Lambda invocation (15 min); 60 s are kept for the step's own work. */
export const PHASE_BUDGET_SECONDS = 840;
/** Each HTTP attempt and each Prometheus query is given up after this long. */
export const REQUEST_TIMEOUT_SECONDS = 10;
/** A job's time beyond its own timeout: creating it, noticing its end (polled each second), reading its log. */
export const JOB_OVERHEAD_SECONDS = 15;

const KINDS = ['job', 'http', 'prometheus'] as const;
const COMPARISONS: readonly Comparison[] = ['<', '<=', '>', '>=', '==', '!='];
const METHODS: readonly HttpCheck['method'][] = ['GET', 'HEAD', 'POST'];
const COMMON = ['name', 'phase', 'kind'];
const FIELDS: Record<CheckDefinition['kind'], readonly string[]> = {
  job: [...COMMON, 'image', 'command', 'env', 'timeoutSeconds'],
  http: [...COMMON, 'method', 'url', 'headers', 'expectStatus', 'jsonPath', 'windowSeconds', 'intervalSeconds'],
  prometheus: [...COMMON, 'url', 'query', 'threshold', 'count', 'intervalSeconds'],
};
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** fetch sets these itself (or refuses them); a policy setting them would be ignored or break the request. */
const MANAGED_HEADERS = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect']);
/** Credentials by definition: a literal value would be shown to everyone who can read the policy. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const SECRET_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** As the API server takes Secret data keys: not `.` or `..`. */
const SECRET_KEY = /^(?!\.\.?$)(?=.{1,253}$)[-._a-zA-Z0-9]+$/;

/** Validates a policy's `checks`; omitted fields take their defaults. Throws ValidationError naming the path. */
export function parseChecks(input: unknown): CheckDefinition[] {
  if (!Array.isArray(input)) throw new ValidationError('checks must be an array');
  if (input.length > MAX_CHECKS) throw new ValidationError(`checks has ${input.length} entries; at most ${MAX_CHECKS} are allowed`);
  const checks = input.map((entry: unknown, i) => parseCheck(entry, `checks[${i}]`));
  checks.forEach((check, i) => {
    const first = checks.findIndex((c) => c.name === check.name);
    if (first !== i) throw new ValidationError(`checks[${i}].name "${check.name}" is already the name of checks[${first}]; check names must be unique`);
  });
  for (const phase of ['pre', 'post'] as const) {
    const inPhase = checks.filter((c) => c.phase === phase);
    const total = inPhase.reduce((sum, c) => sum + worstCaseSeconds(c), 0);
    if (total > PHASE_BUDGET_SECONDS) {
      const parts = inPhase.map((c) => `${c.name} ${worstCaseSeconds(c)} s`).join(', ');
      throw new ValidationError(
        `the ${phase} checks could take ${total} s in the worst case (${parts}); one phase's checks must finish within ${PHASE_BUDGET_SECONDS} s (one 15-minute Lambda invocation): shorten timeouts, windows or counts`,
      );
    }
  }
  return checks;
}

/** The longest one run of the check can take, as the adapters bound it. */
export function worstCaseSeconds(check: CheckDefinition): number {
  switch (check.kind) {
    case 'job':
      return check.timeoutSeconds + JOB_OVERHEAD_SECONDS;
    case 'http':
      // No attempt starts after the window; the last one may take its full timeout.
      return check.windowSeconds + REQUEST_TIMEOUT_SECONDS;
    case 'prometheus':
      return (check.count - 1) * check.intervalSeconds + check.count * REQUEST_TIMEOUT_SECONDS;
  }
}

function parseCheck(input: unknown, path: string): CheckDefinition {
  if (!isObject(input)) throw new ValidationError(`${path} must be an object { name, phase, kind, … }`);
  const kind = input.kind;
  if (!KINDS.includes(kind as CheckDefinition['kind'])) throw new ValidationError(`${path}.kind must be one of ${KINDS.join(', ')}, got ${preview(kind)}`);
  const known = FIELDS[kind as CheckDefinition['kind']];
  onlyFields(input, path, known);
  const name = parseName(input.name, `${path}.name`);
  const phase = input.phase;
  if (phase !== 'pre' && phase !== 'post') throw new ValidationError(`${path}.phase must be "pre" or "post", got ${preview(phase)}`);
  if (kind === 'job') return parseJob(input, path, { name, phase, kind });
  if (kind === 'http') return parseHttp(input, path, { name, phase, kind });
  return parsePrometheus(input, path, { name, phase, kind: 'prometheus' });
}

function parseJob(input: Record<string, unknown>, path: string, common: CheckCommon & { kind: 'job' }): JobCheck {
  let image: string | undefined;
  if (input.image !== undefined) {
    image = text(input.image, `${path}.image`, 512);
    if (/\s/.test(image)) throw new ValidationError(`${path}.image must be an image reference without spaces, got ${preview(image)}`);
  }
  let command: string[] | undefined;
  if (input.command !== undefined) {
    if (!Array.isArray(input.command) || input.command.length === 0 || input.command.length > 32) throw new ValidationError(`${path}.command must be an array of 1 to 32 strings`);
    command = input.command.map((arg: unknown, i) => text(arg, `${path}.command[${i}]`, 4096, true, true));
  }
  let env: Record<string, string> | undefined;
  if (input.env !== undefined) {
    const vars = entries(input.env, `${path}.env`, 50).map(([key, value]): [string, string] => {
      if (!ENV_NAME.test(key) || isPrototypeKey(key)) throw new ValidationError(`${path}.env has an invalid variable name ${preview(key)} (letters, digits and _, not starting with a digit)`);
      return [key, text(value, `${path}.env.${key}`, 4096, true, true)];
    });
    // fromEntries defines own properties, so no name can reach a prototype.
    env = Object.fromEntries(vars);
  }
  const timeoutSeconds = integer(input.timeoutSeconds ?? 300, `${path}.timeoutSeconds`, 1, 900);
  return omitUndefined({ ...common, image, command, env, timeoutSeconds });
}

function parseHttp(input: Record<string, unknown>, path: string, common: CheckCommon & { kind: 'http' }): HttpCheck {
  const method = input.method ?? 'GET';
  if (!METHODS.includes(method as HttpCheck['method'])) throw new ValidationError(`${path}.method must be one of ${METHODS.join(', ')}, got ${preview(method)}`);
  const url = httpUrl(input.url, `${path}.url`);
  const headers = input.headers === undefined ? undefined : parseHeaders(input.headers, `${path}.headers`);
  const expectStatus = integer(input.expectStatus ?? 200, `${path}.expectStatus`, 100, 599);
  let jsonPath: HttpCheck['jsonPath'];
  if (input.jsonPath !== undefined) {
    if (method === 'HEAD') throw new ValidationError(`${path}.jsonPath needs a response body, and a HEAD request gets none`);
    jsonPath = parseJsonPathCondition(input.jsonPath, `${path}.jsonPath`);
  }
  const windowSeconds = integer(input.windowSeconds ?? 60, `${path}.windowSeconds`, 1, PHASE_BUDGET_SECONDS);
  // The default interval shrinks to a shorter window rather than refusing it.
  const intervalSeconds = integer(input.intervalSeconds ?? Math.min(5, windowSeconds), `${path}.intervalSeconds`, 1, Math.min(300, windowSeconds));
  return omitUndefined({ ...common, method: method as HttpCheck['method'], url, headers, expectStatus, jsonPath, windowSeconds, intervalSeconds });
}

function parsePrometheus(input: Record<string, unknown>, path: string, common: CheckCommon & { kind: 'prometheus' }): PrometheusCheck {
  const url = httpUrl(input.url, `${path}.url`);
  const query = text(input.query, `${path}.query`, 4096, true);
  const threshold = input.threshold;
  if (!isObject(threshold)) throw new ValidationError(`${path}.threshold must be an object { op, value }, e.g. { "op": "<", "value": 0.01 }`);
  onlyFields(threshold, `${path}.threshold`, ['op', 'value']);
  const { op, value } = threshold;
  if (!COMPARISONS.includes(op as Comparison)) throw new ValidationError(`${path}.threshold.op must be one of ${COMPARISONS.join(', ')}, got ${preview(op)}`);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(`${path}.threshold.value must be a finite number, got ${preview(value)}`);
  const count = integer(input.count ?? 3, `${path}.count`, 1, 20);
  const intervalSeconds = integer(input.intervalSeconds ?? 10, `${path}.intervalSeconds`, 1, 300);
  return { ...common, url, query, threshold: { op: op as Comparison, value }, count, intervalSeconds };
}

function parseHeaders(input: unknown, path: string): Record<string, string | SecretRef> {
  const seen = new Set<string>();
  const headers = entries(input, path, 20).map(([name, value]): [string, string | SecretRef] => {
    const at = `${path}[${JSON.stringify(name)}]`;
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) throw new ValidationError(`${path} has an invalid header name ${preview(name)}`);
    if (MANAGED_HEADERS.has(lower)) throw new ValidationError(`${at} cannot be set: the HTTP client manages it`);
    if (seen.has(lower)) throw new ValidationError(`${at} is given twice (header names are case-insensitive)`);
    seen.add(lower);
    if (typeof value === 'string') {
      if (CREDENTIAL_HEADERS.has(lower)) throw new ValidationError(`${at} carries a credential: take it from a Secret, {"secretRef": {"name": "...", "key": "..."}}`);
      return [name, text(value, at, 4096, false, true)];
    }
    return [name, parseSecretRef(value, at)];
  });
  return Object.fromEntries(headers);
}

function parseSecretRef(input: unknown, path: string): SecretRef {
  const shape = `a string or {"secretRef": {"name": "...", "key": "..."}}`;
  if (!isObject(input)) throw new ValidationError(`${path} must be ${shape}, got ${preview(input)}`);
  onlyFields(input, path, ['secretRef']);
  if (!isObject(input.secretRef)) throw new ValidationError(`${path} must be ${shape}`);
  onlyFields(input.secretRef, `${path}.secretRef`, ['name', 'key']);
  const { name, key } = input.secretRef;
  if (typeof name !== 'string' || !SECRET_NAME.test(name)) throw new ValidationError(`${path}.secretRef.name must be a Secret name (lowercase DNS-1123), got ${preview(name)}`);
  if (typeof key !== 'string' || !SECRET_KEY.test(key)) throw new ValidationError(`${path}.secretRef.key must match [-._a-zA-Z0-9]+, got ${preview(key)}`);
  return { secretRef: { name, key } };
}

function parseJsonPathCondition(input: unknown, path: string): NonNullable<HttpCheck['jsonPath']> {
  if (!isObject(input)) throw new ValidationError(`${path} must be an object { path, equals }, e.g. { "path": "$.status", "equals": "ok" }`);
  onlyFields(input, path, ['path', 'equals']);
  const { path: expression, equals } = input;
  if (typeof expression !== 'string' || parseJsonPath(expression) === undefined) {
    throw new ValidationError(`${path}.path must be a JSONPath like $.a.b[0].c (names after dots and array indexes only), got ${preview(expression)}`);
  }
  const literal = typeof equals === 'string' ? text(equals, `${path}.equals`, 1024, false, true) : equals;
  if (typeof literal !== 'string' && typeof literal !== 'boolean' && !(typeof literal === 'number' && Number.isFinite(literal))) {
    throw new ValidationError(`${path}.equals must be a string, a number or true/false, got ${preview(equals)}`);
  }
  return { path: expression, equals: literal };
}

function httpUrl(input: unknown, path: string): string {
  const url = typeof input === 'string' && input.length <= 2048 && URL.canParse(input) ? new URL(input) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new ValidationError(`${path} must be an absolute http(s) URL, got ${preview(input)}`);
  // The URL is shown in results and emails; credentials belong in a header from a Secret.
  if (url.username || url.password) throw new ValidationError(`${path} must not carry credentials (user:password@); send them in a header from a Secret`);
  return input as string;
}

// ---------------------------------------------------------------------------
// Small validation helpers (the style of policy.ts: the first problem, naming its path)

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyFields(input: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  const extra = Object.keys(input).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw new ValidationError(`${path} has an unknown field ${preview(extra)} (allowed: ${allowed.join(', ')})`);
}

function parseName(input: unknown, path: string): string {
  if (!isName(input)) throw new ValidationError(`${path} must be a name (${NAME_RULE}), got ${preview(input)}`);
  return input;
}

function integer(input: unknown, path: string, min: number, max: number): number {
  if (typeof input !== 'number' || !Number.isInteger(input) || input < min || input > max) {
    throw new ValidationError(`${path} must be a whole number from ${min} to ${max}, got ${preview(input)}`);
  }
  return input;
}

/** A non-empty string of at most `max` characters without unsafe characters (see text.ts). */
function text(input: unknown, path: string, max: number, multiline = false, allowEmpty = false): string {
  if (typeof input !== 'string' || (!allowEmpty && input === '') || input.length > max) {
    throw new ValidationError(`${path} must be a ${allowEmpty ? '' : 'non-empty '}string of at most ${max} characters, got ${preview(input)}`);
  }
  return checkText(input, path, { multiline });
}

function entries(input: unknown, path: string, max: number): Array<[string, unknown]> {
  if (!isObject(input)) throw new ValidationError(`${path} must be an object`);
  const list = Object.entries(input);
  if (list.length > max) throw new ValidationError(`${path} has ${list.length} entries; at most ${max} are allowed`);
  return list;
}

/** Numbers and strings as previews; anything else by its type. */
function preview(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : namePreview(value);
}

function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
