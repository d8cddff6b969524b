import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusCheckRunner } from '../../functions/adapters/checks';
import { parseChecks } from '../../functions/domain/check-definitions';
import type { CheckContext, PrometheusCheck } from '../../functions/domain/checks';
import { freePort } from '../../local/free-port';
import { binaryAvailable, requireBinary } from '../support/binaries';
import { type Exporter, PROMETHEUS, type PrometheusServer, startExporter, startPrometheus, waitForValue } from '../support/prometheus';

const RUN = binaryAvailable(PROMETHEUS, 'prometheus', 'Prometheus check tests');
const context: CheckContext = { app: 'shop', environment: 'staging', namespace: 'shop', image: 'registry.example/shop:1', releaseId: 'rel_1' };
const GOOD = '# TYPE http_errors_ratio gauge\nhttp_errors_ratio 0.001\n# TYPE requests gauge\nrequests{code="200"} 10\nrequests{code="500"} 1\n';

describe.skipIf(!RUN)('PrometheusCheckRunner against a real Prometheus', () => {
  let exporter: Exporter;
  let prometheus: PrometheusServer;
  const check = (fields: Record<string, unknown>): PrometheusCheck =>
    parseChecks([{ name: 'error-rate', phase: 'post', kind: 'prometheus', url: prometheus.url, query: 'http_errors_ratio', threshold: { op: '<', value: 0.01 }, ...fields }])[0] as PrometheusCheck;
  /** Real time between evaluations: the point is that Prometheus answers each time. */
  const runner = new PrometheusCheckRunner();
  /** For checks that should stop early: no waiting at all. */
  const fast = new PrometheusCheckRunner({ sleep: async () => undefined });

  beforeAll(async () => {
    requireBinary(PROMETHEUS, 'prometheus');
    exporter = await startExporter(GOOD);
    prometheus = await startPrometheus([exporter.target]);
    await waitForValue(prometheus.url, 'http_errors_ratio');
  });
  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
  });

  it('passes when every evaluation is within the threshold', async () => {
    const started = Date.now();
    const result = await runner.run(check({ count: 3, intervalSeconds: 1 }), context);
    expect(result).toMatchObject({ name: 'error-rate', kind: 'prometheus', phase: 'post', passed: true, observations: [0.001, 0.001, 0.001] });
    expect(result.summary).toBe('error-rate was < 0.01 at all 3 evaluations (0.001, 0.001, 0.001)');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  it('accepts a scalar result', async () => {
    const result = await fast.run(check({ query: 'scalar(http_errors_ratio) * 2', count: 1 }), context);
    expect(result).toMatchObject({ passed: true, observations: [0.002] });
  });

  it('fails at the first evaluation past the threshold', async () => {
    exporter.set(GOOD.replace('http_errors_ratio 0.001', 'http_errors_ratio 0.2'));
    try {
      await waitForValue(prometheus.url, 'http_errors_ratio', (value) => value === 0.2);
      const result = await fast.run(check({ count: 3 }), context);
      expect(result).toMatchObject({ passed: false, observations: [0.2], summary: 'error-rate was 0.2 (needs < 0.01) at evaluation 1 of 3' });
    } finally {
      exporter.set(GOOD);
      await waitForValue(prometheus.url, 'http_errors_ratio', (value) => value === 0.001);
    }
  });

  it('fails on no data, on more than one series and on a query Prometheus refuses', async () => {
    expect(await fast.run(check({ query: 'no_such_metric' }), context)).toMatchObject({
      passed: false,
      observations: ['no data (the query returned no series)'],
      summary: 'error-rate could not be evaluated at evaluation 1 of 3: no data (the query returned no series)',
    });
    expect(await fast.run(check({ query: 'requests' }), context)).toMatchObject({ passed: false, observations: ['the query returned 2 series; it must return one'] });
    const refused = await fast.run(check({ query: 'sum(' }), context);
    expect(refused.passed).toBe(false);
    expect(refused.summary).toMatch(/^error-rate could not be evaluated at evaluation 1 of 3: Prometheus refused the query \(bad_data: /);
  });

  it('fails, without throwing, when Prometheus does not answer', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await fast.run(check({ url }), context);
    expect(result).toMatchObject({ passed: false, observations: ['Prometheus did not answer (connection refused, ECONNREFUSED)'] });
  });
});
