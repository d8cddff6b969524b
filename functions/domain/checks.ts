import type { SecretRef } from './cluster';
import { ValidationError } from './errors';
import { isName, isPrototypeKey, NAME_RULE, preview as namePreview } from './names';
import { checkText, visible } from './text';

/**
 * Pre- and post-deployment checks of an environment (S1). A check's
 * definition is part of the environment's policy; what a run found is kept
 * with the release's stage as a CheckResult.
 */

export type CheckPhase = 'pre' | 'post';

interface CheckCommon {
  /** Unique within the environment; shown in the API, emails and logs. */
  name: string;
  /** `pre` runs before anything changes (after approval); `post` after the rollout, and a failure rolls back. */
  phase: CheckPhase;
}

/** A Kubernetes Job run in the environment's namespace on its cluster, waited on. */
export interface JobCheck extends CheckCommon {
  kind: 'job';
  /** Absent: the image being released (the app's own smoke test). */
  image?: string;
  /** Absent: the image's entrypoint. */
  command?: string[];
  env?: Record<string, string>;
  /** 1–900, default 300; the Job's activeDeadlineSeconds. */
  timeoutSeconds: number;
}

/** An HTTP request, retried within a window until it answers as expected. */
export interface HttpCheck extends CheckCommon {
  kind: 'http';
  /** Default GET. */
  method: 'GET' | 'HEAD' | 'POST';
  /** Absolute http(s), without user:password@. */
  url: string;
  /** Header values, plain or from a Kubernetes Secret in the environment's namespace. */
  headers?: Record<string, string | SecretRef>;
  /** Default 200. Redirects are not followed, so a 3xx can be expected too. */
  expectStatus: number;
  /** Optional condition on the JSON body: the value at `path` (JSONPath, e.g. `$.status`) must equal `equals`. */
  jsonPath?: { path: string; equals: string | number | boolean };
  /** Default 60: no attempt starts later than this after the first. */
  windowSeconds: number;
  /** Default 5 (or the window, when shorter): from the start of one attempt to the next. */
  intervalSeconds: number;
}

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** A PromQL instant query evaluated `count` times, `intervalSeconds` apart; passes when every evaluation does. */
export interface PrometheusCheck extends CheckCommon {
  kind: 'prometheus';
  /** The Prometheus server's base URL (`/api/v1/query` is appended). */
  url: string;
  query: string;
  /** e.g. `{ op: '<', value: 0.01 }`: the query's single value must satisfy it. */
  threshold: { op: Comparison; value: number };
  /** Default 3. */
  count: number;
  /** Default 10. */
  intervalSeconds: number;
}

export type CheckDefinition = JobCheck | HttpCheck | PrometheusCheck;

/** What one run of a check found: the evidence shown in the API and to the next environment's approvers. */
export interface CheckResult {
  name: string;
  kind: CheckDefinition['kind'];
  phase: CheckPhase;
  passed: boolean;
  startedAt: string;
  finishedAt: string;
  /** One line for people: "job smoke-test succeeded in 3 s", "error_rate was 0.2 (needs < 0.01) at evaluation 2 of 3". */
  summary: string;
  /** The end of the job's log (job checks): at most 40 lines and 4 KB (see logTail). */
  logTail?: string;
  /**
   * In order: each evaluation's value (prometheus; `NaN`/`+Inf` as strings, or
   * why there was none) or each attempt's status (http; or what was wrong).
   */
  observations?: Array<string | number>;
}

/** Where a check runs and what it checks: the environment's cluster and namespace, and the release's image. */
export interface CheckContext {
  app: string;
  environment: string;
  cluster?: string;
  namespace: string;
  image: string;
  releaseId: string;
}

/** Runs one check to its verdict. Infrastructure faults throw (ClusterUnreachable…); a failing check returns `passed: false`. */
export interface CheckRunner {
  run(check: CheckDefinition, context: CheckContext): Promise<CheckResult>;
}

// ---------------------------------------------------------------------------
// Parsing (a policy's `checks`)

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

// ---------------------------------------------------------------------------
// Evaluation: pure verdicts the adapters build their CheckResults from

export interface Verdict {
  passed: boolean;
  summary: string;
}

/** Whether `value` satisfies the threshold. NaN never does (not even `!=`): a check must not pass on no number. */
export function compare(value: number, threshold: { op: Comparison; value: number }): boolean {
  if (Number.isNaN(value)) return false;
  const limit = threshold.value;
  switch (threshold.op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/** A number as Prometheus writes it (`+Inf`, `NaN`), so that it survives JSON as an observation. */
export const formatValue = (value: number): string | number =>
  Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';

/** One evaluation of a Prometheus check: the query's single value, or why there was none. */
export type PrometheusEvaluation = { value: number } | { error: string };

/**
 * The verdict on a Prometheus check's evaluations, in order: it passes when
 * all `count` pass, and the runner stops at the first failing one, so only
 * the last evaluation can be a failure.
 */
export function prometheusVerdict(check: PrometheusCheck, evaluations: PrometheusEvaluation[]): Verdict {
  const needs = `${check.threshold.op} ${check.threshold.value}`;
  const at = (i: number) => `at evaluation ${i + 1} of ${check.count}`;
  const failed = evaluations.findIndex((e) => 'error' in e || !compare(e.value, check.threshold));
  const evaluation = evaluations[failed];
  if (evaluation !== undefined) {
    if ('error' in evaluation) return { passed: false, summary: `${check.name} could not be evaluated ${at(failed)}: ${evaluation.error}` };
    return { passed: false, summary: `${check.name} was ${formatValue(evaluation.value)} (needs ${needs}) ${at(failed)}` };
  }
  if (evaluations.length < check.count) return { passed: false, summary: `${check.name} was evaluated ${evaluations.length} of ${check.count} times` };
  const values = evaluations.map((e) => formatValue((e as { value: number }).value)).join(', ');
  return { passed: true, summary: `${check.name} was ${needs} at all ${check.count} evaluations (${values})` };
}

export const prometheusObservations = (evaluations: PrometheusEvaluation[]): Array<string | number> =>
  evaluations.map((e) => ('error' in e ? e.error : formatValue(e.value)));

/** One HTTP attempt: its verdict, what to record of it, and (failed) why, for the summary. */
export interface HttpAttempt {
  passed: boolean;
  observation: string | number;
  problem?: string;
}

/** Judges one answer: the expected status and, when the check has one, the JSONPath condition on the body. */
export function judgeHttpAnswer(check: HttpCheck, status: number, body: string | undefined): HttpAttempt {
  if (status !== check.expectStatus) return { passed: false, observation: status, problem: `answered ${status} (expected ${check.expectStatus})` };
  if (!check.jsonPath) return { passed: true, observation: status };
  const { path, equals } = check.jsonPath;
  let document: unknown;
  try {
    document = JSON.parse(body ?? '');
  } catch {
    return { passed: false, observation: `${status}, body not JSON`, problem: `answered ${status} but the body is not JSON` };
  }
  const found = jsonPathValue(document, path);
  if (!found.found) return { passed: false, observation: `${status}, ${path} missing`, problem: `answered ${status} but the body has no ${path}` };
  const shown = short(JSON.stringify(found.value) ?? String(found.value));
  if (found.value !== equals) return { passed: false, observation: `${status}, ${path}=${shown}`, problem: `answered ${status} but ${path} was ${shown} (expected ${JSON.stringify(equals)})` };
  return { passed: true, observation: status };
}

/** An attempt that got no answer (refused, timed out, TLS…): `reason` must not carry header values. */
export const httpNoAnswer = (reason: string): HttpAttempt => ({ passed: false, observation: reason, problem: `got no answer (${reason})` });

export function httpVerdict(check: HttpCheck, attempts: HttpAttempt[], seconds: number): Verdict {
  const request = `${check.method} ${check.url}`;
  const last = attempts[attempts.length - 1];
  const tries = `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}`;
  if (last?.passed) {
    const condition = check.jsonPath ? ` with ${check.jsonPath.path} = ${JSON.stringify(check.jsonPath.equals)}` : '';
    return { passed: true, summary: `${check.name}: ${request} answered ${check.expectStatus}${condition} after ${tries} in ${seconds} s` };
  }
  return { passed: false, summary: `${check.name}: ${request} did not pass within ${check.windowSeconds} s (${tries}); the last ${last?.problem ?? 'was not made'}` };
}

/** How a check's Job ended, as the job adapter saw it. */
export type JobOutcome = { status: 'succeeded' } | { status: 'failed'; reason: string } | { status: 'timed-out' };

export function jobVerdict(check: JobCheck, outcome: JobOutcome, seconds: number): Verdict {
  if (outcome.status === 'succeeded') return { passed: true, summary: `job ${check.name} succeeded in ${seconds} s` };
  if (outcome.status === 'timed-out') return { passed: false, summary: `job ${check.name} timed out after ${check.timeoutSeconds} s` };
  return { passed: false, summary: `job ${check.name} failed after ${seconds} s (${outcome.reason})` };
}

const short = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max)}…` : text);

// ---------------------------------------------------------------------------
// JSONPath, a deliberately small subset: `$`, then `.name` and `[index]`
// segments only (`$.data.items[0].status`). No wildcards, filters, slices,
// recursive descent or quoted names: a check's condition points at one value,
// and a subset this small is easier to trust than a library's full grammar.

const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(0|[1-9][0-9]{0,8})\]/y;

/** The path's segments (names and indexes), or undefined when it is not in the subset. */
export function parseJsonPath(path: string): Array<string | number> | undefined {
  if (!path.startsWith('$') || path.length > 256) return undefined;
  const segments: Array<string | number> = [];
  SEGMENT.lastIndex = 1;
  while (SEGMENT.lastIndex < path.length) {
    const match = SEGMENT.exec(path);
    if (!match) return undefined;
    segments.push(match[1] ?? Number(match[2]));
  }
  return segments;
}

/** The value at `path` in a parsed JSON document. Only own properties count, so `$.constructor` finds nothing. */
export function jsonPathValue(document: unknown, path: string): { found: true; value: unknown } | { found: false } {
  const segments = parseJsonPath(path);
  if (!segments) throw new ValidationError(`${preview(path)} is not a JSONPath of the supported form $.a.b[0].c`);
  let value = document;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(value) || segment >= value.length) return { found: false };
      value = value[segment] as unknown;
    } else {
      if (!isObject(value) || !Object.hasOwn(value, segment)) return { found: false };
      value = value[segment];
    }
  }
  return { found: true, value };
}

// ---------------------------------------------------------------------------
// Logs

/**
 * The end of a job's log, as kept in its CheckResult (stored and emailed, so
 * small): the last `maxLines` lines, then at most the last `maxBytes` bytes of
 * UTF-8, starting at a line (or, for one long line, a character) boundary.
 * Control characters (ANSI colours…) are made visible rather than kept.
 */
export function logTail(text: string, maxLines = 40, maxBytes = 4096): string {
  const lines = text.replace(/\n$/, '').split('\n');
  // Made visible before cutting, so the markers count toward maxBytes.
  const tail = visible(lines.slice(-maxLines).join('\n'));
  const bytes = new TextEncoder().encode(tail);
  if (bytes.length <= maxBytes) return tail;
  let start = bytes.length - maxBytes;
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1; // not inside a character
  const cut = new TextDecoder().decode(bytes.subarray(start));
  const newline = cut.indexOf('\n');
  return newline >= 0 && newline < cut.length - 1 ? cut.slice(newline + 1) : cut;
}
