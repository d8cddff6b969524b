import { describe, expect, it } from 'vitest';
import { metricsFromBuckets, windowDays, type DayBucket } from '../../functions/domain/dora';
import { dailySeries } from '../../functions/usecases/metrics';

const bucket = (day: string, fields: Partial<DayBucket>): DayBucket => ({ day, deployments: 0, successes: 0, failures: 0, leadTimeSeconds: [], restoreSeconds: [], ...fields });

describe('the per-day series the Metrics page charts', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const days = windowDays(7, now);
  const buckets = [
    bucket('2026-11-30', { deployments: 4, successes: 3, failures: 1, leadTimeSeconds: [600, 60, 7200], restoreSeconds: [300] }),
    bucket('2026-12-02', { deployments: 1, successes: 1, leadTimeSeconds: [30, 90] }),
    bucket('2026-12-02', { deployments: 1, failures: 1 }),
    bucket('2026-10-01', { deployments: 9, successes: 9 }),
  ];

  it('has one point per day of the window, zeros and nulls on days without deployments', () => {
    const series = dailySeries(days, buckets);
    expect(series.map((p) => p.day)).toEqual(days);
    expect(series[0]).toEqual({ day: '2026-11-26', deployments: 0, successes: 0, failures: 0, changeFailureRate: null, leadTimeSeconds: null, timeToRestoreSeconds: null });
    expect(series[4]).toEqual({ day: '2026-11-30', deployments: 4, successes: 3, failures: 1, changeFailureRate: 0.25, leadTimeSeconds: 600, timeToRestoreSeconds: 300 });
    // Two buckets of one day add up; the median is the nearest rank, as the window's figures.
    expect(series[6]).toEqual({ day: '2026-12-02', deployments: 2, successes: 1, failures: 1, changeFailureRate: 0.5, leadTimeSeconds: 30, timeToRestoreSeconds: null });
  });

  it('adds up to the window figures the API gives', () => {
    const series = dailySeries(days, buckets);
    const figures = metricsFromBuckets('hello-web', 'prod', 7, buckets, now);
    expect(series.reduce((n, p) => n + p.deployments, 0)).toBe(figures.deployments);
    expect(series.reduce((n, p) => n + p.successes, 0)).toBe(figures.successes);
    expect(series.reduce((n, p) => n + p.failures, 0)).toBe(figures.failures);
  });
});
