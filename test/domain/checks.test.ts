import { describe, expect, it } from 'vitest';
import {
  compare,
  httpNoAnswer,
  httpVerdict,
  type HttpCheck,
  jobVerdict,
  type JobCheck,
  judgeHttpAnswer,
  jsonPathValue,
  logTail,
  parseChecks,
  parseJsonPath,
  type PrometheusCheck,
  prometheusObservations,
  prometheusVerdict,
  worstCaseSeconds,
} from '../../functions/domain/checks';
import { ValidationError } from '../../functions/domain/errors';
import { DEFAULT_POLICY, parsePolicy } from '../../functions/domain/policy';

const job = { name: 'smoke', phase: 'post', kind: 'job' };
const http = { name: 'health', phase: 'post', kind: 'http', url: 'https://shop.example/health' };
const prom = { name: 'error-rate', phase: 'post', kind: 'prometheus', url: 'http://prometheus:9090', query: 'sum(rate(errors[5m]))', threshold: { op: '<', value: 0.01 } };
const refused = (input: unknown) => {
  try {
    parseChecks(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected parseChecks to refuse the input');
};

describe('parseChecks', () => {
  it('fills in the defaults of each kind, in a fixed key order', () => {
    const checks = parseChecks([{ kind: 'job', phase: 'pre', name: 'smoke' }, http, prom]);
    expect(checks).toEqual([
      { name: 'smoke', phase: 'pre', kind: 'job', timeoutSeconds: 300 },
      { ...http, method: 'GET', expectStatus: 200, windowSeconds: 60, intervalSeconds: 5 },
      { ...prom, count: 3, intervalSeconds: 10 },
    ]);
    // Same JSON whatever order the fields came in: policies are compared by their JSON.
    expect(JSON.stringify(checks[0])).toBe('{"name":"smoke","phase":"pre","kind":"job","timeoutSeconds":300}');
  });

  it('keeps every optional field it is given', () => {
    const full = [
      { ...job, image: 'registry.example/smoke:1', command: ['sh', '-c', 'curl -f http://web/health\nexit 0'], env: { TARGET: 'http://web', EMPTY: '' }, timeoutSeconds: 600 },
      { ...http, method: 'POST', headers: { 'X-Probe': 'gatekeeper', Authorization: { secretRef: { name: 'probe-token', key: 'token' } } }, expectStatus: 204, jsonPath: { path: '$.status', equals: 'ok' }, windowSeconds: 30, intervalSeconds: 30 },
      { ...prom, threshold: { op: '>=', value: 99.5 }, count: 1, intervalSeconds: 1 },
    ];
    expect(parseChecks(full)).toEqual(full);
    expect(parseChecks([])).toEqual([]);
    // The default interval fits a short window.
    expect(parseChecks([{ ...http, windowSeconds: 3 }])[0]).toMatchObject({ windowSeconds: 3, intervalSeconds: 3 });
  });

  it.each([
    ['not an array', {}, 'checks must be an array'],
    ['too many checks', Array.from({ length: 11 }, (_, i) => ({ ...prom, name: `c${i}` })), 'checks has 11 entries; at most 10 are allowed'],
    ['a non-object', ['x'], 'checks[0] must be an object { name, phase, kind, … }'],
    ['an unknown kind', [{ ...job, kind: 'shell' }], 'checks[0].kind must be one of job, http, prometheus, got "shell"'],
    ['no kind', [{ name: 'x', phase: 'pre' }], 'checks[0].kind must be one of job, http, prometheus, got nothing'],
    ['a field of another kind', [{ ...job, url: 'https://x' }], 'checks[0] has an unknown field "url" (allowed: name, phase, kind, image, command, env, timeoutSeconds)'],
    ['a bad name', [{ ...job, name: 'Smoke Test' }], /^checks\[0\]\.name must be a name \(lowercase letters.*got "Smoke Test"$/],
    ['a reserved name', [{ ...job, name: 'constructor' }], /^checks\[0\]\.name must be a name/],
    ['a duplicate name', [job, { ...prom, name: 'smoke', phase: 'pre' }], 'checks[1].name "smoke" is already the name of checks[0]; check names must be unique'],
    ['a bad phase', [{ ...job, phase: 'during' }], 'checks[0].phase must be "pre" or "post", got "during"'],
    ['a job timeout too long', [{ ...job, timeoutSeconds: 901 }], 'checks[0].timeoutSeconds must be a whole number from 1 to 900, got 901'],
    ['a fractional timeout', [{ ...job, timeoutSeconds: 1.5 }], 'checks[0].timeoutSeconds must be a whole number from 1 to 900, got 1.5'],
    ['an image with spaces', [{ ...job, image: 'a b' }], 'checks[0].image must be an image reference without spaces, got "a b"'],
    ['an empty command', [{ ...job, command: [] }], 'checks[0].command must be an array of 1 to 32 strings'],
    ['a command argument not a string', [{ ...job, command: ['sh', 1] }], 'checks[0].command[1] must be a string of at most 4096 characters, got 1'],
    ['a bidi override in a command', [{ ...job, command: ['echo \u202E'] }], /^checks\[0\]\.command\[0\] contains an invisible formatting character/],
    ['a bad env name', [{ ...job, env: { '1X': 'a' } }], 'checks[0].env has an invalid variable name "1X" (letters, digits and _, not starting with a digit)'],
    ['a prototype env name', [{ ...job, env: JSON.parse('{"__proto__": "a"}') as unknown }], 'checks[0].env has an invalid variable name "__proto__" (letters, digits and _, not starting with a digit)'],
    ['an env value not a string', [{ ...job, env: { A: 1 } }], 'checks[0].env.A must be a string of at most 4096 characters, got 1'],
    ['a bad method', [{ ...http, method: 'DELETE' }], 'checks[0].method must be one of GET, HEAD, POST, got "DELETE"'],
    ['a relative url', [{ ...http, url: '/health' }], 'checks[0].url must be an absolute http(s) URL, got "/health"'],
    ['a non-http url', [{ ...http, url: 'ftp://x/health' }], 'checks[0].url must be an absolute http(s) URL, got "ftp://x/health"'],
    ['credentials in the url', [{ ...http, url: 'https://u:p@x/health' }], 'checks[0].url must not carry credentials (user:password@); send them in a header from a Secret'],
    ['a bad status', [{ ...http, expectStatus: 600 }], 'checks[0].expectStatus must be a whole number from 100 to 599, got 600'],
    ['a bad header name', [{ ...http, headers: { 'X Bad': 'a' } }], 'checks[0].headers has an invalid header name "X Bad"'],
    ['a managed header', [{ ...http, headers: { Host: 'a' } }], 'checks[0].headers["Host"] cannot be set: the HTTP client manages it'],
    ['a header given twice', [{ ...http, headers: { 'x-a': '1', 'X-A': '2' } }], 'checks[0].headers["X-A"] is given twice (header names are case-insensitive)'],
    ['a literal credential', [{ ...http, headers: { Authorization: 'Bearer abc' } }], 'checks[0].headers["Authorization"] carries a credential: take it from a Secret, {"secretRef": {"name": "...", "key": "..."}}'],
    ['a line break in a header', [{ ...http, headers: { 'X-A': 'a\nb' } }], /^checks\[0\]\.headers\["X-A"\] contains a line break or tab/],
    ['a header value of the wrong shape', [{ ...http, headers: { 'X-A': 1 } }], 'checks[0].headers["X-A"] must be a string or {"secretRef": {"name": "...", "key": "..."}}, got 1'],
    ['an extra secretRef field', [{ ...http, headers: { 'X-A': { secretRef: { name: 's', key: 'k', optional: true } } } }], 'checks[0].headers["X-A"].secretRef has an unknown field "optional" (allowed: name, key)'],
    ['a bad secret name', [{ ...http, headers: { 'X-A': { secretRef: { name: 'S_1', key: 'k' } } } }], 'checks[0].headers["X-A"].secretRef.name must be a Secret name (lowercase DNS-1123), got "S_1"'],
    ['a bad secret key', [{ ...http, headers: { 'X-A': { secretRef: { name: 's', key: 'a/b' } } } }], 'checks[0].headers["X-A"].secretRef.key must match [-._a-zA-Z0-9]+, got "a/b"'],
    ['a secret key of dots', [{ ...http, headers: { 'X-A': { secretRef: { name: 's', key: '..' } } } }], 'checks[0].headers["X-A"].secretRef.key must match [-._a-zA-Z0-9]+, got ".."'],
    ['a JSONPath outside the subset', [{ ...http, jsonPath: { path: '$..status', equals: 'ok' } }], 'checks[0].jsonPath.path must be a JSONPath like $.a.b[0].c (names after dots and array indexes only), got "$..status"'],
    ['a JSONPath condition on an object', [{ ...http, jsonPath: { path: '$.a', equals: {} } }], 'checks[0].jsonPath.equals must be a string, a number or true/false, got an object'],
    ['a JSONPath condition with HEAD', [{ ...http, method: 'HEAD', jsonPath: { path: '$.a', equals: 1 } }], 'checks[0].jsonPath needs a response body, and a HEAD request gets none'],
    ['an interval longer than the window', [{ ...http, windowSeconds: 10, intervalSeconds: 11 }], 'checks[0].intervalSeconds must be a whole number from 1 to 10, got 11'],
    ['no threshold', [{ ...prom, threshold: undefined }], 'checks[0].threshold must be an object { op, value }, e.g. { "op": "<", "value": 0.01 }'],
    ['a bad comparison', [prom, { ...prom, name: 'p2', threshold: { op: '=<', value: 1 } }], 'checks[1].threshold.op must be one of <, <=, >, >=, ==, !=, got "=<"'],
    ['an infinite threshold', [{ ...prom, threshold: { op: '<', value: Infinity } }], 'checks[0].threshold.value must be a finite number, got Infinity'],
    ['an extra threshold field', [{ ...prom, threshold: { op: '<', value: 1, for: '5m' } }], 'checks[0].threshold has an unknown field "for" (allowed: op, value)'],
    ['an empty query', [{ ...prom, query: '' }], 'checks[0].query must be a non-empty string of at most 4096 characters, got ""'],
    ['too many evaluations', [{ ...prom, count: 21 }], 'checks[0].count must be a whole number from 1 to 20, got 21'],
  ])('refuses %s', (_, input, message) => {
    if (typeof message === 'string') expect(refused(input)).toBe(message);
    else expect(refused(input)).toMatch(message);
  });

  it("refuses a phase whose worst case does not fit one Lambda invocation, and counts each phase apart", () => {
    const long = (name: string, phase: string) => ({ ...job, name, phase, timeoutSeconds: 400 });
    // 415 s each: two fit in 840 s per phase, three do not.
    expect(parseChecks([long('a', 'pre'), long('b', 'pre'), long('c', 'post'), long('d', 'post')])).toHaveLength(4);
    expect(refused([long('a', 'pre'), long('b', 'post'), long('c', 'post'), long('d', 'post')])).toBe(
      "the post checks could take 1245 s in the worst case (b 415 s, c 415 s, d 415 s); one phase's checks must finish within 840 s (one 15-minute Lambda invocation): shorten timeouts, windows or counts",
    );
    expect(refused([{ ...job, timeoutSeconds: 900 }])).toMatch(/^the post checks could take 915 s in the worst case/);
  });

  it('bounds each kind by its own worst case', () => {
    const [j, h, p] = parseChecks([job, http, prom]) as [JobCheck, HttpCheck, PrometheusCheck];
    expect(worstCaseSeconds(j)).toBe(300 + 15);
    expect(worstCaseSeconds(h)).toBe(60 + 10);
    expect(worstCaseSeconds(p)).toBe(2 * 10 + 3 * 10);
  });
});

describe('the policy with checks', () => {
  it('omits checks when absent or empty, so stored policies stay byte-identical', () => {
    expect(JSON.stringify(parsePolicy({}))).toBe(JSON.stringify(DEFAULT_POLICY));
    expect(parsePolicy({ checks: [] })).not.toHaveProperty('checks');
  });

  it('parses checks and names their path', () => {
    expect(parsePolicy({ checks: [job] }).checks).toEqual([{ ...job, timeoutSeconds: 300 }]);
    expect(() => parsePolicy({ checks: [{ ...job, timeoutSeconds: 0 }] })).toThrow('checks[0].timeoutSeconds must be a whole number from 1 to 900, got 0');
  });
});

describe('compare', () => {
  it.each([
    [0.005, '<', 0.01, true],
    [0.01, '<', 0.01, false],
    [0.01, '<=', 0.01, true],
    [2, '>', 1, true],
    [1, '>=', 1, true],
    [1, '==', 1, true],
    [1, '!=', 1, false],
    [Infinity, '>', 1e308, true],
    [NaN, '!=', 1, false],
    [NaN, '<', 1, false],
  ] as const)('%s %s %s is %s', (value, op, limit, expected) => {
    expect(compare(value, { op, value: limit })).toBe(expected);
  });
});

describe('JSONPath subset', () => {
  const doc = { status: 'ok', data: { items: [{ name: 'a' }, { name: 'b', ready: true }] }, 'x-y': 1, nothing: null };

  it('parses dot names and array indexes only', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.data.items[1].name')).toEqual(['data', 'items', 1, 'name']);
    expect(parseJsonPath('$[0][12]')).toEqual([0, 12]);
    for (const bad of ['', 'status', '$.', '$..a', '$.*', '$[*]', "$['a']", '$[-1]', '$[01]', '$.a[?(@.b)]', '$ .a', '$.1a']) expect(parseJsonPath(bad), bad).toBeUndefined();
  });

  it('finds values, and only own properties', () => {
    expect(jsonPathValue(doc, '$.status')).toEqual({ found: true, value: 'ok' });
    expect(jsonPathValue(doc, '$.data.items[1].ready')).toEqual({ found: true, value: true });
    expect(jsonPathValue(doc, '$.x-y')).toEqual({ found: true, value: 1 });
    expect(jsonPathValue(doc, '$.nothing')).toEqual({ found: true, value: null });
    expect(jsonPathValue(doc, '$')).toEqual({ found: true, value: doc });
    expect(jsonPathValue(doc, '$.data.items[2]')).toEqual({ found: false });
    expect(jsonPathValue(doc, '$.status.length')).toEqual({ found: false });
    expect(jsonPathValue(doc, '$.constructor')).toEqual({ found: false });
    expect(jsonPathValue(doc, '$.data[0]')).toEqual({ found: false });
    expect(() => jsonPathValue(doc, '$..x')).toThrow(ValidationError);
  });
});

describe('logTail', () => {
  it('keeps the last lines', () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    expect(logTail(log).split('\n')).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i + 61}`));
    expect(logTail('a\nb\nc', 2)).toBe('b\nc');
    expect(logTail('')).toBe('');
  });

  it('keeps at most maxBytes, from a line boundary, or a character boundary in one long line', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${String(i).padStart(2, '0')} ${'x'.repeat(200)}`).join('\n');
    const tail = logTail(lines);
    expect(new TextEncoder().encode(tail).length).toBeLessThanOrEqual(4096);
    expect(tail.endsWith(`39 ${'x'.repeat(200)}`)).toBe(true);
    expect(tail).toMatch(/^\d\d x/);
    const euros = logTail('€'.repeat(10), 40, 10); // 3 bytes each
    expect(euros).toBe('€€€');
  });

  it('makes control characters visible, within the byte limit', () => {
    expect(logTail('\u001b[31mred\u001b[0m\nok')).toBe('<U+001B>[31mred<U+001B>[0m\nok');
    expect(new TextEncoder().encode(logTail('\u001b'.repeat(1000), 40, 100)).length).toBeLessThanOrEqual(100);
  });
});

describe('verdicts', () => {
  const [jobCheck, httpCheck, promCheck] = parseChecks([job, { ...http, jsonPath: { path: '$.status', equals: 'ok' } }, prom]) as [JobCheck, HttpCheck, PrometheusCheck];

  it('prometheus: passes only when all evaluations pass, and says where one failed', () => {
    expect(prometheusVerdict(promCheck, [{ value: 0.001 }, { value: 0.002 }, { value: 0 }])).toEqual({ passed: true, summary: 'error-rate was < 0.01 at all 3 evaluations (0.001, 0.002, 0)' });
    expect(prometheusVerdict(promCheck, [{ value: 0.001 }, { value: 0.2 }])).toEqual({ passed: false, summary: 'error-rate was 0.2 (needs < 0.01) at evaluation 2 of 3' });
    expect(prometheusVerdict(promCheck, [{ error: 'no data (the query returned no series)' }])).toEqual({
      passed: false,
      summary: 'error-rate could not be evaluated at evaluation 1 of 3: no data (the query returned no series)',
    });
    expect(prometheusVerdict(promCheck, [{ value: 0.001 }]).passed).toBe(false);
    expect(prometheusVerdict(promCheck, [{ value: NaN }]).summary).toBe('error-rate was NaN (needs < 0.01) at evaluation 1 of 3');
    expect(prometheusObservations([{ value: 0.5 }, { value: Infinity }, { error: 'no data' }])).toEqual([0.5, '+Inf', 'no data']);
  });

  it('http: judges status and JSON body', () => {
    expect(judgeHttpAnswer(httpCheck, 503, undefined)).toEqual({ passed: false, observation: 503, problem: 'answered 503 (expected 200)' });
    expect(judgeHttpAnswer(httpCheck, 200, '{"status":"ok"}')).toEqual({ passed: true, observation: 200 });
    expect(judgeHttpAnswer(httpCheck, 200, '{"status":"degraded"}')).toEqual({ passed: false, observation: '200, $.status="degraded"', problem: 'answered 200 but $.status was "degraded" (expected "ok")' });
    expect(judgeHttpAnswer(httpCheck, 200, '{}')).toMatchObject({ passed: false, problem: 'answered 200 but the body has no $.status' });
    expect(judgeHttpAnswer(httpCheck, 200, '<html>')).toMatchObject({ passed: false, problem: 'answered 200 but the body is not JSON' });
    const attempts = [httpNoAnswer('connection refused, ECONNREFUSED'), judgeHttpAnswer(httpCheck, 200, '{"status":"ok"}')];
    expect(httpVerdict(httpCheck, attempts, 5)).toEqual({ passed: true, summary: 'health: GET https://shop.example/health answered 200 with $.status = "ok" after 2 attempts in 5 s' });
    expect(httpVerdict(httpCheck, attempts.slice(0, 1), 60)).toEqual({
      passed: false,
      summary: 'health: GET https://shop.example/health did not pass within 60 s (1 attempt); the last got no answer (connection refused, ECONNREFUSED)',
    });
  });

  it('job', () => {
    expect(jobVerdict(jobCheck, { status: 'succeeded' }, 3)).toEqual({ passed: true, summary: 'job smoke succeeded in 3 s' });
    expect(jobVerdict(jobCheck, { status: 'failed', reason: 'exit code 1' }, 4)).toEqual({ passed: false, summary: 'job smoke failed after 4 s (exit code 1)' });
    expect(jobVerdict(jobCheck, { status: 'timed-out' }, 301)).toEqual({ passed: false, summary: 'job smoke timed out after 300 s' });
  });
});
