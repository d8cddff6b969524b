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

/** CI=true (GitHub Actions, GitLab CI and most others set it): logs, not a person at a terminal. */
export const inCi = (env: Env) => env.CI !== undefined && !['', '0', 'false'].includes(env.CI.toLowerCase());

/** An ISO 8601 time with an offset, as `git show --format=%cI` and CI_COMMIT_TIMESTAMP write it. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * When `commit` was made, for the DORA lead time when --committed-at is not
 * given: the git checkout the CLI runs in (its committer date), else GitLab's
 * CI_COMMIT_TIMESTAMP when `commit` is the pipeline's own. Undefined rather
 * than a guess: a release without it simply has no lead-time sample.
 */
export function commitTime(env: Env, commit: string, git?: (commit: string) => string | undefined): string | undefined {
  // Only a hex SHA reaches git: anything else could read as an option.
  const fromGit = /^[0-9a-f]{7,64}$/i.test(commit) ? git?.(commit) : undefined;
  if (fromGit && ISO_TIME.test(fromGit)) return fromGit;
  const own = env.CI_COMMIT_SHA?.toLowerCase().startsWith(commit.toLowerCase());
  return own && env.CI_COMMIT_TIMESTAMP && ISO_TIME.test(env.CI_COMMIT_TIMESTAMP) ? env.CI_COMMIT_TIMESTAMP : undefined;
}

export const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;
export const IMAGE = /^[^\s@]+@sha256:[0-9a-f]{64}$/;
export const RELEASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
