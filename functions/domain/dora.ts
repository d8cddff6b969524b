import { ValidationError } from './errors';

/**
 * DORA metrics per app and environment: deployment frequency, lead time for
 * changes, change failure rate and time to restore.
 *
 * The API answers from per-day aggregates (DayBucket) that the store keeps up
 * to date in the same transaction that records a finished deployment, so a
 * metrics request reads at most 90 small items and never scans deployments.
 * `metricsFromDeployments` is the reference that recomputes the same numbers
 * from raw deployments; the two agree exactly because every aggregate is a
 * count or a list of observed whole-second samples, and the statistics are
 * nearest-rank percentiles (always one of the samples, never an interpolation).
 *
 * Definitions, all per (app, environment):
 * - Days are UTC calendar days. A deployment belongs to the UTC day of its
 *   `finishedAt`, whatever offset the timestamp was written with
 *   (2026-03-29T00:30+02:00 is 2026-03-28T22:30Z, so day 2026-03-28).
 * - A window of N days is the N UTC days ending with `now`'s UTC day,
 *   inclusive: the current, partial day counts.
 * - Deployment frequency: successful deployments ÷ N, rounded to 3 decimals.
 * - Change failure rate: (failed + rolled-back) ÷ all finished deployments,
 *   rounded to 3 decimals; null when there were none.
 * - Lead time: finishedAt − committedAt of each successful deployment whose
 *   commit time CI sent, in whole seconds, clamped at 0 (CI and cluster clocks
 *   may disagree). Median and p90.
 * - Time to restore: from the first failure of a streak of failures (its
 *   finishedAt) to the finishedAt of the success that ends the streak, in
 *   whole seconds. The sample belongs to the day of that success, so a streak
 *   that began before the window but ended inside it counts in full. Median.
 *
 * Order: deployments of one environment are applied in finishedAt order; equal
 * instants keep the order they were given in (the store's recording order).
 */

/** `rollback_failed`: the deployment failed and restoring the previous version failed too (history only). */
export type DeploymentResult = 'succeeded' | 'failed' | 'rolled_back' | 'rollback_failed';

/** A finished deployment as the store records it. */
export interface FinishedDeployment {
  app: string;
  environment: string;
  releaseId: string;
  result: DeploymentResult;
  /** ISO 8601 with Z or an offset. */
  startedAt: string;
  /** ISO 8601 with Z or an offset; its UTC day is the bucket. */
  finishedAt: string;
  /** ISO 8601 with Z or an offset; commit time, when CI sent it. */
  committedAt?: string;
}

/**
 * Per (app, environment, UTC day). All fields are additive so the store can
 * apply an increment with DynamoDB ADD / list_append in the same transaction
 * as the deployment.
 */
export interface DayBucket {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  /** All finished deployments. */
  deployments: number;
  successes: number;
  /** failed + rolled_back. */
  failures: number;
  /** One per success that had committedAt: finishedAt − committedAt, whole seconds, ≥ 0. */
  leadTimeSeconds: number[];
  /** One per success that ended a failure streak: finishedAt − failingSince, whole seconds, ≥ 0. */
  restoreSeconds: number[];
}

export interface DoraMetrics {
  app: string;
  environment: string;
  days: number;
  /** First UTC day of the window, 'YYYY-MM-DD'. */
  from: string;
  /** Last UTC day of the window (now's day), 'YYYY-MM-DD'. */
  to: string;
  deployments: number;
  successes: number;
  failures: number;
  /** successes ÷ days, 3 decimals. */
  deploymentFrequencyPerDay: number;
  /** failures ÷ deployments, 3 decimals; null when there were no deployments. */
  changeFailureRate: number | null;
  leadTimeSeconds: { median: number | null; p90: number | null; samples: number };
  timeToRestoreSeconds: { median: number | null; samples: number };
}

/** The windows the API offers. The domain accepts any 1..MAX_WINDOW_DAYS so other callers (reports, tests) are not boxed in. */
export const WINDOWS = [7, 30, 90] as const satisfies readonly number[];
export const MAX_WINDOW_DAYS = 365;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * An explicit offset is required: without one, JavaScript reads a date-time as
 * the machine's local time, and the UTC day would depend on where the Lambda runs.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

function instant(iso: string, field: string): number {
  const ms = typeof iso === 'string' && INSTANT.test(iso) && realDate(iso) ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) throw new ValidationError(`${field} must be an ISO 8601 date-time with Z or an offset, got ${JSON.stringify(iso)}`);
  return ms;
}

/** Date.parse rolls 2026-02-30 over into March instead of rejecting it. */
function realDate(iso: string): boolean {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC day ('YYYY-MM-DD') of an ISO instant. */
export const dayOf = (iso: string): string => utcDay(instant(iso, 'timestamp'));

/** Whole seconds from `from` to `to`, never negative. Whole seconds keep the stored lists small and the statistics exact. */
function elapsedSeconds(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / 1000));
}

function assertResult(result: unknown): asserts result is DeploymentResult {
  if (result !== 'succeeded' && result !== 'failed' && result !== 'rolled_back' && result !== 'rollback_failed') {
    throw new ValidationError(`result must be succeeded, failed, rolled_back or rollback_failed, got ${JSON.stringify(result)}`);
  }
}

/**
 * What one finished deployment adds to its day bucket, given the environment's
 * failure state before it (failingSince: ISO of the first failure of the
 * current streak, or undefined). Returns the increment and the environment's
 * next failingSince: set by the first failure of a streak, kept during it,
 * cleared by a success.
 */
export function bucketIncrement(
  deployment: FinishedDeployment,
  failingSince: string | undefined,
): { day: string; increment: Omit<DayBucket, 'day'>; failingSince: string | undefined } {
  assertResult(deployment.result);
  instant(deployment.startedAt, 'startedAt');
  const finished = instant(deployment.finishedAt, 'finishedAt');
  const since = failingSince === undefined ? undefined : instant(failingSince, 'failingSince');
  const day = utcDay(finished);

  if (deployment.result !== 'succeeded') {
    return {
      day,
      increment: { deployments: 1, successes: 0, failures: 1, leadTimeSeconds: [], restoreSeconds: [] },
      // The streak is measured from its first failure, so later failures keep it.
      failingSince: failingSince ?? deployment.finishedAt,
    };
  }
  const leadTimeSeconds =
    deployment.committedAt === undefined ? [] : [elapsedSeconds(instant(deployment.committedAt, 'committedAt'), finished)];
  const restoreSeconds = since === undefined ? [] : [elapsedSeconds(since, finished)];
  return {
    day,
    increment: { deployments: 1, successes: 1, failures: 0, leadTimeSeconds, restoreSeconds },
    failingSince: undefined,
  };
}

function assertWindow(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_WINDOW_DAYS) {
    throw new ValidationError(`days must be a whole number from 1 to ${MAX_WINDOW_DAYS}, got ${days}`);
  }
}

/** The UTC days of the window, oldest first: the `days` days ending with now's UTC day. */
export function windowDays(days: number, now: Date): string[] {
  assertWindow(days);
  const at = now.getTime();
  if (!Number.isFinite(at)) throw new ValidationError('now must be a valid date');
  const today = Math.floor(at / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, i) => utcDay(today - (days - 1 - i) * DAY_MS));
}

/**
 * Nearest-rank percentile: the smallest sample such that at least p% of the
 * samples are ≤ it (rank ⌈p·n/100⌉, at least 1). Always an observed value, so
 * aggregated and recomputed metrics match exactly. p in [0, 100]; null for no samples.
 */
export function percentile(samples: number[], p: number): number | null {
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new ValidationError(`percentile must be from 0 to 100, got ${p}`);
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  // p·n first, then ÷100: for whole p this is exact, so ⌈⌉ never rounds a float error up a rank.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1] ?? null;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

interface Totals {
  deployments: number;
  successes: number;
  failures: number;
  leadTimeSeconds: number[];
  restoreSeconds: number[];
}

function metrics(app: string, environment: string, window: string[], totals: Totals): DoraMetrics {
  const days = window.length;
  return {
    app,
    environment,
    days,
    from: window[0] ?? '',
    to: window[days - 1] ?? '',
    deployments: totals.deployments,
    successes: totals.successes,
    failures: totals.failures,
    deploymentFrequencyPerDay: round3(totals.successes / days),
    changeFailureRate: totals.deployments === 0 ? null : round3(totals.failures / totals.deployments),
    leadTimeSeconds: {
      median: percentile(totals.leadTimeSeconds, 50),
      p90: percentile(totals.leadTimeSeconds, 90),
      samples: totals.leadTimeSeconds.length,
    },
    timeToRestoreSeconds: { median: percentile(totals.restoreSeconds, 50), samples: totals.restoreSeconds.length },
  };
}

/**
 * The metrics of a window from the environment's day buckets. Buckets outside
 * the window are ignored; two buckets for the same day are added together
 * (they are additive by design).
 */
export function metricsFromBuckets(app: string, environment: string, days: number, buckets: DayBucket[], now: Date): DoraMetrics {
  const window = windowDays(days, now);
  const inWindow = new Set(window);
  const totals: Totals = { deployments: 0, successes: 0, failures: 0, leadTimeSeconds: [], restoreSeconds: [] };
  for (const bucket of buckets) {
    if (!inWindow.has(bucket.day)) continue;
    totals.deployments += bucket.deployments;
    totals.successes += bucket.successes;
    totals.failures += bucket.failures;
    totals.leadTimeSeconds.push(...bucket.leadTimeSeconds);
    totals.restoreSeconds.push(...bucket.restoreSeconds);
  }
  return metrics(app, environment, window, totals);
}

/**
 * The reference: the same metrics computed straight from raw deployments,
 * without buckets, to check the aggregates against. Deployments of other apps
 * or environments are ignored. Every deployment of the environment is replayed
 * in time order, including those before the window, because a failure streak
 * that began before the window decides the restore time of a success inside it;
 * only deployments whose UTC day is in the window are counted.
 */
export function metricsFromDeployments(
  app: string,
  environment: string,
  days: number,
  deployments: FinishedDeployment[],
  now: Date,
): DoraMetrics {
  const window = windowDays(days, now);
  const inWindow = new Set(window);
  const history = deployments
    .filter((d) => d.app === app && d.environment === environment)
    .map((d) => {
      assertResult(d.result);
      instant(d.startedAt, 'startedAt');
      return { d, finished: instant(d.finishedAt, 'finishedAt') };
    })
    // Array#sort is stable, so equal instants keep the given order.
    .sort((a, b) => a.finished - b.finished);

  const totals: Totals = { deployments: 0, successes: 0, failures: 0, leadTimeSeconds: [], restoreSeconds: [] };
  let streakStart: number | undefined;
  for (const { d, finished } of history) {
    const counted = inWindow.has(utcDay(finished));
    const succeeded = d.result === 'succeeded';
    if (counted) {
      totals.deployments += 1;
      if (succeeded) {
        totals.successes += 1;
        if (d.committedAt !== undefined) totals.leadTimeSeconds.push(elapsedSeconds(instant(d.committedAt, 'committedAt'), finished));
        if (streakStart !== undefined) totals.restoreSeconds.push(elapsedSeconds(streakStart, finished));
      } else {
        totals.failures += 1;
      }
    }
    if (succeeded) streakStart = undefined;
    else streakStart ??= finished;
  }
  return metrics(app, environment, window, totals);
}
