import { describe, expect, it } from 'vitest';
import { parseChecks, worstCaseSeconds } from '../../functions/domain/check-definitions';
import type { HttpCheck, JobCheck, PrometheusCheck } from '../../functions/domain/checks';
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
