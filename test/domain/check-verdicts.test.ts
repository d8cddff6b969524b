import { describe, expect, it } from 'vitest';
import { parseChecks } from '../../functions/domain/check-definitions';
import { compare, httpNoAnswer, httpVerdict, jobVerdict, judgeHttpAnswer, logTail, prometheusObservations, prometheusVerdict } from '../../functions/domain/check-verdicts';
import type { HttpCheck, JobCheck, PrometheusCheck } from '../../functions/domain/checks';

const job = { name: 'smoke', phase: 'post', kind: 'job' };
const http = { name: 'health', phase: 'post', kind: 'http', url: 'https://shop.example/health' };
const prom = { name: 'error-rate', phase: 'post', kind: 'prometheus', url: 'http://prometheus:9090', query: 'sum(rate(errors[5m]))', threshold: { op: '<', value: 0.01 } };

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
