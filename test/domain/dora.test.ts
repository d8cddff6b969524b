import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  WINDOWS,
  bucketIncrement,
  dayOf,
  metricsFromBuckets,
  metricsFromDeployments,
  percentile,
  windowDays,
  type DayBucket,
  type DeploymentResult,
  type FinishedDeployment,
} from '../../functions/domain/dora';
import { ValidationError } from '../../functions/domain/errors';

const deployment = (result: DeploymentResult, finishedAt: string, extra: Partial<FinishedDeployment> = {}): FinishedDeployment => ({
  app: 'web',
  environment: 'prod',
  releaseId: `r-${finishedAt}`,
  result,
  startedAt: new Date(Date.parse(finishedAt) - 60_000).toISOString(),
  finishedAt,
  ...extra,
});

const empty = (day: string): DayBucket => ({ day, deployments: 0, successes: 0, failures: 0, leadTimeSeconds: [], restoreSeconds: [] });

/**
 * What the store does: fold each finished deployment, in the order they
 * finish, through bucketIncrement into additive day buckets, carrying each
 * environment's failingSince from one deployment to the next.
 */
function foldIntoBuckets(deployments: FinishedDeployment[]): Map<string, DayBucket[]> {
  const failingSince = new Map<string, string | undefined>();
  const buckets = new Map<string, Map<string, DayBucket>>();
  const ordered = [...deployments].sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  for (const d of ordered) {
    const env = `${d.app}/${d.environment}`;
    const next = bucketIncrement(d, failingSince.get(env));
    failingSince.set(env, next.failingSince);
    const days = buckets.get(env) ?? new Map<string, DayBucket>();
    buckets.set(env, days);
    const bucket = days.get(next.day) ?? empty(next.day);
    // ADD and list_append.
    days.set(next.day, {
      day: next.day,
      deployments: bucket.deployments + next.increment.deployments,
      successes: bucket.successes + next.increment.successes,
      failures: bucket.failures + next.increment.failures,
      leadTimeSeconds: [...bucket.leadTimeSeconds, ...next.increment.leadTimeSeconds],
      restoreSeconds: [...bucket.restoreSeconds, ...next.increment.restoreSeconds],
    });
  }
  return new Map([...buckets].map(([env, days]) => [env, [...days.values()]]));
}

describe('dayOf', () => {
  it('is the UTC day, whatever offset the timestamp was written with', () => {
    expect(dayOf('2026-03-29T00:30:00+02:00')).toBe('2026-03-28');
    expect(dayOf('2026-03-28T23:30:00-02:00')).toBe('2026-03-29');
    expect(dayOf('2026-03-28T23:59:59.999Z')).toBe('2026-03-28');
    expect(dayOf('2026-03-29T00:00:00Z')).toBe('2026-03-29');
  });

  it('rejects timestamps without an offset (they would be read in the machine zone), impossible dates and garbage', () => {
    for (const bad of ['2026-03-29T00:30:00', '2026-03-29', '2026-02-30T00:00:00Z', 'yesterday', '']) {
      expect(() => dayOf(bad), bad).toThrow(ValidationError);
    }
  });
});

describe('bucketIncrement', () => {
  it('counts a success without commit time: no lead time, no streak', () => {
    expect(bucketIncrement(deployment('succeeded', '2026-03-10T12:00:00Z'), undefined)).toEqual({
      day: '2026-03-10',
      increment: { deployments: 1, successes: 1, failures: 0, leadTimeSeconds: [], restoreSeconds: [] },
      failingSince: undefined,
    });
  });

  it('records the lead time of a success with commit time, in whole seconds', () => {
    const d = deployment('succeeded', '2026-03-10T12:00:00.900Z', { committedAt: '2026-03-10T10:00:00.000+00:00' });
    expect(bucketIncrement(d, undefined).increment.leadTimeSeconds).toEqual([7200]);
  });

  it('clamps a commit time after the finish (clock skew) to a lead time of 0', () => {
    const d = deployment('succeeded', '2026-03-10T12:00:00Z', { committedAt: '2026-03-10T12:05:00Z' });
    expect(bucketIncrement(d, undefined).increment.leadTimeSeconds).toEqual([0]);
  });

  it.each<DeploymentResult>(['failed', 'rolled_back'])('counts %s as a failure and starts a streak at its finish', (result) => {
    const d = deployment(result, '2026-03-10T12:00:00Z', { committedAt: '2026-03-10T10:00:00Z' });
    expect(bucketIncrement(d, undefined)).toEqual({
      day: '2026-03-10',
      // A failure has no lead time even with a commit time: the change did not reach the environment.
      increment: { deployments: 1, successes: 0, failures: 1, leadTimeSeconds: [], restoreSeconds: [] },
      failingSince: '2026-03-10T12:00:00Z',
    });
  });

  it('keeps the first failure of a streak through later failures', () => {
    const next = bucketIncrement(deployment('rolled_back', '2026-03-11T08:00:00Z'), '2026-03-10T12:00:00Z');
    expect(next.failingSince).toBe('2026-03-10T12:00:00Z');
    expect(next.increment.restoreSeconds).toEqual([]);
  });

  it('ends a streak with a success: one restore sample from the first failure, streak cleared', () => {
    const d = deployment('succeeded', '2026-03-11T13:30:00Z', { committedAt: '2026-03-11T13:00:00Z' });
    const next = bucketIncrement(d, '2026-03-10T12:00:00Z');
    expect(next).toEqual({
      day: '2026-03-11',
      increment: { deployments: 1, successes: 1, failures: 0, leadTimeSeconds: [1800], restoreSeconds: [91_800] },
      failingSince: undefined,
    });
  });

  it('rejects unknown results and malformed timestamps', () => {
    expect(() => bucketIncrement({ ...deployment('succeeded', '2026-03-10T12:00:00Z'), result: 'done' as DeploymentResult }, undefined)).toThrow(
      ValidationError,
    );
    expect(() => bucketIncrement(deployment('succeeded', '2026-03-10 12:00'), undefined)).toThrow(ValidationError);
    expect(() => bucketIncrement(deployment('succeeded', '2026-03-10T12:00:00Z', { committedAt: 'abc' }), undefined)).toThrow(ValidationError);
    expect(() => bucketIncrement(deployment('succeeded', '2026-03-10T12:00:00Z'), 'since then')).toThrow(ValidationError);
  });
});

describe('windowDays', () => {
  it('is the `days` UTC days ending with now’s UTC day, oldest first', () => {
    expect(windowDays(7, new Date('2026-03-02T01:00:00Z'))).toEqual([
      '2026-02-24',
      '2026-02-25',
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(windowDays(1, new Date('2026-01-01T00:00:00Z'))).toEqual(['2026-01-01']);
    const ninety = windowDays(90, new Date('2026-01-15T23:59:59Z'));
    expect(ninety).toHaveLength(90);
    expect([ninety[0], ninety[89]]).toEqual(['2025-10-18', '2026-01-15']);
  });

  it('accepts any whole number of days from 1 to 365 (the API narrows it to WINDOWS)', () => {
    expect(WINDOWS).toEqual([7, 30, 90]);
    const now = new Date('2026-03-10T00:00:00Z');
    expect(windowDays(365, now)).toHaveLength(365);
    for (const bad of [0, -7, 366, 7.5, Number.NaN]) expect(() => windowDays(bad, now), String(bad)).toThrow(ValidationError);
    expect(() => windowDays(7, new Date('nope'))).toThrow(ValidationError);
  });
});

describe('percentile (nearest rank)', () => {
  const samples = [50, 15, 40, 20, 35];

  it('is the smallest sample with at least p% of samples at or below it', () => {
    expect(percentile(samples, 0)).toBe(15);
    expect(percentile(samples, 20)).toBe(15);
    expect(percentile(samples, 30)).toBe(20);
    expect(percentile(samples, 40)).toBe(20);
    expect(percentile(samples, 50)).toBe(35);
    expect(percentile(samples, 90)).toBe(50);
    expect(percentile(samples, 100)).toBe(50);
    expect(samples).toEqual([50, 15, 40, 20, 35]);
  });

  it('is an observed value: the median of an even count is the lower middle one', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile(Array.from({ length: 10 }, (_, i) => i + 1), 90)).toBe(9);
  });

  it('is null without samples and rejects p outside 0..100', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 101)).toThrow(ValidationError);
    expect(() => percentile([1], -1)).toThrow(ValidationError);
  });
});

describe('metrics of a window', () => {
  const now = new Date('2026-03-10T12:00:00Z'); // 7-day window: 2026-03-04 .. 2026-03-10
  const both = (deployments: FinishedDeployment[], days = 7) => {
    const reference = metricsFromDeployments('web', 'prod', days, deployments, now);
    const aggregated = metricsFromBuckets('web', 'prod', days, foldIntoBuckets(deployments).get('web/prod') ?? [], now);
    expect(aggregated).toEqual(reference);
    return reference;
  };

  it('counts the first day of the window to its last second, not the second before it, and the current day', () => {
    const m = both([
      deployment('succeeded', '2026-03-03T23:59:59Z'),
      deployment('succeeded', '2026-03-04T00:00:00Z'),
      deployment('failed', '2026-03-04T23:59:59Z'),
      deployment('succeeded', '2026-03-10T23:59:59Z'),
      deployment('succeeded', '2026-03-11T00:00:00Z'),
    ]);
    expect(m).toMatchObject({ from: '2026-03-04', to: '2026-03-10', days: 7, deployments: 3, successes: 2, failures: 1 });
  });

  it('puts a deployment just after local midnight east of UTC in the previous UTC day', () => {
    const m = both([deployment('succeeded', '2026-03-11T00:30:00+02:00')]);
    expect(m.successes).toBe(1);
  });

  it('computes frequency, failure rate, lead time and time to restore', () => {
    const m = both([
      deployment('succeeded', '2026-03-05T10:00:00Z', { committedAt: '2026-03-05T09:00:00Z' }), // lead 3600
      deployment('failed', '2026-03-06T10:00:00Z', { committedAt: '2026-03-06T09:00:00Z' }),
      deployment('rolled_back', '2026-03-06T11:00:00Z'),
      deployment('succeeded', '2026-03-06T12:00:00Z', { committedAt: '2026-03-06T11:50:00Z' }), // lead 600, restore 7200
      deployment('succeeded', '2026-03-08T10:00:00Z'),
      deployment('failed', '2026-03-09T10:00:00Z'),
      deployment('succeeded', '2026-03-09T10:30:00Z', { committedAt: '2026-03-07T10:30:00Z' }), // lead 172800, restore 1800
    ]);
    expect(m).toEqual({
      app: 'web',
      environment: 'prod',
      days: 7,
      from: '2026-03-04',
      to: '2026-03-10',
      deployments: 7,
      successes: 4,
      failures: 3,
      deploymentFrequencyPerDay: 0.571,
      changeFailureRate: 0.429,
      leadTimeSeconds: { median: 3600, p90: 172_800, samples: 3 },
      timeToRestoreSeconds: { median: 1800, samples: 2 },
    });
  });

  it('counts a restore in full when the streak began before the window, and not the failures before it', () => {
    const m = both([deployment('failed', '2026-03-01T10:00:00Z'), deployment('succeeded', '2026-03-04T10:00:00Z')]);
    expect(m).toMatchObject({ deployments: 1, failures: 0, changeFailureRate: 0, timeToRestoreSeconds: { median: 3 * 86_400, samples: 1 } });
  });

  it('has no failure rate and no statistics without deployments', () => {
    expect(both([])).toMatchObject({
      deployments: 0,
      deploymentFrequencyPerDay: 0,
      changeFailureRate: null,
      leadTimeSeconds: { median: null, p90: null, samples: 0 },
      timeToRestoreSeconds: { median: null, samples: 0 },
    });
  });

  it('leaves other apps and environments out of the reference', () => {
    const m = both([
      deployment('succeeded', '2026-03-05T10:00:00Z'),
      deployment('failed', '2026-03-05T11:00:00Z', { environment: 'staging' }),
      deployment('failed', '2026-03-05T12:00:00Z', { app: 'api' }),
    ]);
    expect(m).toMatchObject({ deployments: 1, failures: 0 });
  });

  it('ignores buckets outside the window and adds up two buckets of one day', () => {
    const bucket = (day: string): DayBucket => ({ day, deployments: 2, successes: 1, failures: 1, leadTimeSeconds: [10], restoreSeconds: [20] });
    const m = metricsFromBuckets('web', 'prod', 7, [bucket('2026-03-03'), bucket('2026-03-05'), bucket('2026-03-05'), bucket('2026-03-11')], now);
    expect(m).toMatchObject({ deployments: 4, successes: 2, failures: 2, leadTimeSeconds: { samples: 2 }, timeToRestoreSeconds: { samples: 2 } });
  });
});

// ---------------------------------------------------------------------------
// Property: the aggregates the store keeps answer exactly what a recomputation from raw deployments does.

const START = Date.parse('2026-01-01T00:00:00Z');
const DAY_S = 86_400;

/** The same instant written with another offset, as clients in other zones send it. */
function withOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const offsetArb = fc.constantFrom(0, 60, 120, 330, -300, -600, 840, -720);
const finishedArb = fc.oneof(
  // Anywhere in 120 days, to the millisecond.
  fc.integer({ min: 0, max: 120 * DAY_S * 1000 - 1 }),
  // Few distinct instants on half-day boundaries: midnights, and ties between deployments.
  fc.integer({ min: 0, max: 240 }).map((halfDays) => halfDays * (DAY_S / 2) * 1000),
);
const deploymentArb = fc
  .record({
    app: fc.constantFrom('web', 'api'),
    environment: fc.constantFrom('staging', 'prod'),
    result: fc.constantFrom<DeploymentResult>('succeeded', 'succeeded', 'failed', 'rolled_back'),
    finished: finishedArb,
    duration: fc.integer({ min: 0, max: 3_600_000 }),
    // Mostly before the finish, sometimes after it (clock skew).
    commitBefore: fc.option(fc.integer({ min: -600_000, max: 10 * DAY_S * 1000 }), { nil: undefined }),
    offset: offsetArb,
    releaseId: fc.string({ minLength: 1, maxLength: 6 }),
  })
  .map(
    ({ app, environment, result, finished, duration, commitBefore, offset, releaseId }): FinishedDeployment => ({
      app,
      environment,
      releaseId,
      result,
      startedAt: withOffset(START + finished - duration, offset),
      finishedAt: withOffset(START + finished, offset),
      ...(commitBefore === undefined ? {} : { committedAt: withOffset(START + finished - commitBefore, 0) }),
    }),
  );
const nowArb = fc.integer({ min: -10 * DAY_S * 1000, max: 130 * DAY_S * 1000 }).map((ms) => new Date(START + ms));

describe('metrics (property)', () => {
  it('aggregated day buckets give exactly the metrics recomputed from raw deployments, for 7, 30 and 90 days', () => {
    fc.assert(
      fc.property(fc.array(deploymentArb, { maxLength: 80 }), nowArb, (deployments, now) => {
        const buckets = foldIntoBuckets(deployments);
        for (const app of ['web', 'api']) {
          for (const environment of ['staging', 'prod']) {
            for (const days of WINDOWS) {
              const aggregated = metricsFromBuckets(app, environment, days, buckets.get(`${app}/${environment}`) ?? [], now);
              const reference = metricsFromDeployments(app, environment, days, deployments, now);
              expect(aggregated).toEqual(reference);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('counts every deployment of the window exactly once, by the UTC day of its finish', () => {
    fc.assert(
      fc.property(fc.array(deploymentArb, { maxLength: 40 }), nowArb, fc.constantFrom(...WINDOWS), (deployments, now, days) => {
        const window = new Set(windowDays(days, now));
        const mine = deployments.filter((d) => d.app === 'web' && d.environment === 'prod' && window.has(dayOf(d.finishedAt)));
        const m = metricsFromDeployments('web', 'prod', days, deployments, now);
        expect(m.deployments).toBe(mine.length);
        expect(m.successes).toBe(mine.filter((d) => d.result === 'succeeded').length);
        expect(m.failures).toBe(mine.length - m.successes);
        expect(m.leadTimeSeconds.samples).toBe(mine.filter((d) => d.result === 'succeeded' && d.committedAt !== undefined).length);
      }),
    );
  });
});
