import { describe, expect, it } from 'vitest';
import type { FinishedDeployment } from '../../functions/domain/dora';
import { EmfValidationError, deploymentFinishedMetrics, emfRecord, type EmfInput } from '../../functions/observability/emf';

const at = new Date('2026-03-10T12:00:00.123Z');
const base: EmfInput = {
  namespace: 'Gatekeeper',
  dimensions: { App: 'web', Environment: 'prod' },
  metrics: [
    { name: 'Deployments', value: 1, unit: 'Count' },
    { name: 'LeadTime', value: 3600, unit: 'Seconds' },
  ],
  timestamp: at,
  properties: { ReleaseId: 'rel-1' },
};

describe('emfRecord', () => {
  it('writes one line of JSON in the embedded metric format', () => {
    const line = emfRecord(base);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: at.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: 'Gatekeeper',
            Dimensions: [['App', 'Environment']],
            Metrics: [
              { Name: 'Deployments', Unit: 'Count' },
              { Name: 'LeadTime', Unit: 'Seconds' },
            ],
          },
        ],
      },
      App: 'web',
      Environment: 'prod',
      Deployments: 1,
      LeadTime: 3600,
      ReleaseId: 'rel-1',
    });
  });

  it('puts every reference of the directive (dimensions and metrics) on the root node', () => {
    const record = JSON.parse(emfRecord(base)) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    };
    const directive = record._aws.CloudWatchMetrics[0]!;
    for (const name of directive.Dimensions.flat()) expect(typeof record[name]).toBe('string');
    for (const { Name } of directive.Metrics) expect(typeof record[Name]).toBe('number');
  });

  it('allows a record without dimensions and without properties (an empty dimension set)', () => {
    const record = JSON.parse(emfRecord({ namespace: 'Gatekeeper', dimensions: {}, metrics: [{ name: 'Up', value: 1, unit: 'None' }], timestamp: at }));
    expect(record._aws.CloudWatchMetrics[0].Dimensions).toEqual([[]]);
    expect(Object.keys(record).sort()).toEqual(['Up', '_aws']);
  });

  it('accepts 30 dimensions and 100 metrics, and no more', () => {
    const dims = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`D${i}`, 'v']));
    const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `M${i}`, value: i, unit: 'Count' as const }));
    expect(() => emfRecord({ ...base, dimensions: dims(30), metrics: metrics(100) })).not.toThrow();
    expect(() => emfRecord({ ...base, dimensions: dims(31) })).toThrow(EmfValidationError);
    expect(() => emfRecord({ ...base, metrics: metrics(101) })).toThrow(EmfValidationError);
  });

  it.each<[string, Partial<EmfInput>]>([
    ['an empty namespace', { namespace: '' }],
    ['an empty metric name', { metrics: [{ name: ' ', value: 1, unit: 'Count' }] }],
    ['an empty dimension name', { dimensions: { '': 'x' } }],
    ['an empty dimension value', { dimensions: { App: '' } }],
    ['a non-ASCII dimension value', { dimensions: { App: 'wéb' } }],
    ['a dimension name starting with a colon', { dimensions: { ':App': 'web' } }],
    ['a name longer than 255 characters', { metrics: [{ name: 'M'.repeat(256), value: 1, unit: 'Count' }] }],
    ['an infinite value', { metrics: [{ name: 'LeadTime', value: Number.POSITIVE_INFINITY, unit: 'Seconds' }] }],
    ['a NaN value', { metrics: [{ name: 'LeadTime', value: Number.NaN, unit: 'Seconds' }] }],
    ['an unknown unit', { metrics: [{ name: 'LeadTime', value: 1, unit: 'Hours' as 'Seconds' }] }],
    ['no metrics', { metrics: [] }],
    ['a metric named twice', { metrics: [{ name: 'X', value: 1, unit: 'Count' }, { name: 'X', value: 2, unit: 'Count' }] }],
    ['a metric named like a dimension', { metrics: [{ name: 'App', value: 1, unit: 'Count' }] }],
    ['a property named like a metric', { properties: { Deployments: 'two' } }],
    ['a property named _aws', { properties: { _aws: {} } }],
    ['an invalid timestamp', { timestamp: new Date('nope') }],
  ])('rejects %s', (_, change) => {
    expect(() => emfRecord({ ...base, ...change })).toThrow(EmfValidationError);
  });
});

describe('deploymentFinishedMetrics', () => {
  const finished = (result: FinishedDeployment['result']): FinishedDeployment => ({
    app: 'web',
    environment: 'prod',
    releaseId: 'rel-1',
    result,
    startedAt: '2026-03-10T11:55:00Z',
    finishedAt: '2026-03-10T12:00:00Z',
  });

  it('publishes a success with lead time and time to restore, per app and environment', () => {
    expect(deploymentFinishedMetrics(finished('succeeded'), 3600, 900)).toEqual({
      namespace: 'Gatekeeper',
      dimensions: { App: 'web', Environment: 'prod' },
      metrics: [
        { name: 'Deployments', value: 1, unit: 'Count' },
        { name: 'DeploymentFailures', value: 0, unit: 'Count' },
        { name: 'LeadTime', value: 3600, unit: 'Seconds' },
        { name: 'TimeToRestore', value: 900, unit: 'Seconds' },
      ],
      timestamp: new Date('2026-03-10T12:00:00Z'),
      properties: { ReleaseId: 'rel-1' },
    });
  });

  it.each<FinishedDeployment['result']>(['failed', 'rolled_back'])('counts %s as a failure and leaves unknown times out', (result) => {
    const record = JSON.parse(emfRecord(deploymentFinishedMetrics(finished(result))));
    expect(record).toMatchObject({ App: 'web', Environment: 'prod', Deployments: 1, DeploymentFailures: 1, ReleaseId: 'rel-1' });
    expect(record).not.toHaveProperty('LeadTime');
    expect(record).not.toHaveProperty('TimeToRestore');
    expect(record._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'Deployments', Unit: 'Count' },
      { Name: 'DeploymentFailures', Unit: 'Count' },
    ]);
  });

  it('publishes a lead time of 0 (it is known, just instant)', () => {
    const names = deploymentFinishedMetrics(finished('succeeded'), 0).metrics.map((m) => m.name);
    expect(names).toContain('LeadTime');
  });
});
