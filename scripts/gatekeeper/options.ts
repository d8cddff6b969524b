import { createHash } from 'node:crypto';

/** `2h`, `30m`, `90s`, `1h30m`, `500ms` or plain seconds → milliseconds; undefined when unreadable. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (units[unit ?? 's'] ?? 0), 0);
}

export type Env = Record<string, string | undefined>;

/**
 * The Idempotency-Key a CI job sends when none is given: the same for every
 * attempt of one pipeline run (GitHub's run id stays across re-runs, GitLab's
 * pipeline id across retried jobs) and one app and image, so a retried job
 * gets the first release back instead of starting a second. Undefined outside CI.
 */
export function ciIdempotencyKey(env: Env, app: string, image: string): string | undefined {
  const run =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY ? `github:${env.GITHUB_REPOSITORY}:${env.GITHUB_RUN_ID}`
    : env.CI_PIPELINE_ID && env.CI_PROJECT_PATH ? `gitlab:${env.CI_PROJECT_PATH}:${env.CI_PIPELINE_ID}`
    : undefined;
  if (!run) return undefined;
  return `ci.${createHash('sha256').update(`${run}\n${app}\n${image}`).digest('hex')}`;
}

export const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;
export const IMAGE = /^[^\s@]+@sha256:[0-9a-f]{64}$/;
export const RELEASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
