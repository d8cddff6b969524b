import { can } from '../domain/authorization';
import { metricsFromBuckets, windowDays, WINDOWS, type DayBucket, type DoraMetrics } from '../domain/dora';
import { ValidationError } from '../domain/errors';
import type { UseCaseDeps } from './deps';
import { environmentFor } from './deployment-history';

/**
 * S11: DORA metrics from the per-day buckets, the one computation behind
 * `GET /v1/apps/{app}/envs/{env}/metrics` and the dashboard's Metrics page.
 */

type Deps = Pick<UseCaseDeps, 'directory' | 'catalog' | 'deployments' | 'clock'>;

export type Window = (typeof WINDOWS)[number];

/** `days` as the API takes it: one of 7, 30 or 90 (default 30). */
export function windowOf(value: string | undefined): Window {
  const days = Number(value ?? 30);
  if (!(WINDOWS as readonly number[]).includes(days)) throw new ValidationError(`days must be one of ${WINDOWS.join(', ')}`);
  return days as Window;
}

export interface EnvironmentMetrics {
  metrics: DoraMetrics;
  /** The window's UTC days, oldest first, and the buckets found for them (days without deployments have none). */
  days: string[];
  buckets: DayBucket[];
}

/** The metrics of the last `days` UTC days (today included), read from at most `days` small items. */
export async function environmentMetrics(deps: Deps, identity: string, app: string, env: string, days: Window): Promise<EnvironmentMetrics> {
  await environmentFor(deps, identity, app, env, 'release.view');
  return metricsOf(deps, app, env, days);
}

async function metricsOf(deps: Deps, app: string, env: string, days: number): Promise<EnvironmentMetrics> {
  const now = deps.clock();
  const window = windowDays(days, now);
  const buckets = await deps.deployments.buckets(app, env, window[0] ?? '', window.at(-1) ?? '');
  return { metrics: metricsFromBuckets(app, env, days, buckets, now), days: window, buckets };
}

/**
 * Every environment `identity` may view releases of, with its metrics over
 * `days` (one Query each): the Metrics page before one is chosen. Apps come
 * from the environments index; at most `limit` environments.
 */
export async function metricsOverview(deps: Deps, identity: string, days: Window, limit = 50): Promise<EnvironmentMetrics[]> {
  const [apps, directory] = await Promise.all([deps.catalog.listApps(), deps.directory.get()]);
  const visible = apps.flatMap((app) => app.environments).filter((env) => can(directory, identity, 'release.view', { app: env.app, environment: env.name }));
  return Promise.all(visible.slice(0, limit).map((env) => metricsOf(deps, env.app, env.name, days)));
}

export interface DailyPoint {
  day: string;
  deployments: number;
  successes: number;
  failures: number;
  /** failures ÷ deployments that day, 3 decimals; null without deployments. */
  changeFailureRate: number | null;
  /** Median (nearest rank) of the day's samples, whole seconds; null without samples. */
  leadTimeSeconds: number | null;
  timeToRestoreSeconds: number | null;
}

const median = (samples: number[]): number | null => {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1] ?? null;
};

/** One point per day of the window, days without deployments included (as zeros and nulls): what the charts and their table show. */
export function dailySeries(days: readonly string[], buckets: readonly DayBucket[]): DailyPoint[] {
  return days.map((day) => {
    const today = buckets.filter((b) => b.day === day);
    const sum = (pick: (b: DayBucket) => number) => today.reduce((total, b) => total + pick(b), 0);
    const deployments = sum((b) => b.deployments);
    const failures = sum((b) => b.failures);
    return {
      day,
      deployments,
      successes: sum((b) => b.successes),
      failures,
      changeFailureRate: deployments === 0 ? null : Math.round((failures / deployments) * 1000) / 1000,
      leadTimeSeconds: median(today.flatMap((b) => b.leadTimeSeconds)),
      timeToRestoreSeconds: median(today.flatMap((b) => b.restoreSeconds)),
    };
  });
}

export interface AllWindows {
  /** The figures of each window (7, 30, 90 days), all from one read of the 90 days' buckets. */
  windows: Record<Window, DoraMetrics>;
  /** The last 90 UTC days and their buckets (a shorter window is its tail). */
  days: string[];
  buckets: DayBucket[];
}

/** The figures for 7, 30 and 90 days at once: one Query of at most 90 items. */
export async function environmentMetricsAllWindows(deps: Deps, identity: string, app: string, env: string): Promise<AllWindows> {
  const longest = Math.max(...WINDOWS) as Window;
  const { days, buckets } = await environmentMetrics(deps, identity, app, env, longest);
  const now = deps.clock();
  const windows = Object.fromEntries(WINDOWS.map((n) => [n, metricsFromBuckets(app, env, n, buckets, now)])) as Record<Window, DoraMetrics>;
  return { windows, days, buckets };
}
