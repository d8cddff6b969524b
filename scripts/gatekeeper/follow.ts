import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, ok, type ApiClient } from './client';
import type { Release } from './types';

/** How a finished release exits the CLI (README "CLI"). */
export const EXIT = { succeeded: 0, usage: 1, rejected: 2, expired: 3, failed: 4, cancelled: 5, timedOut: 6 } as const;

const FINAL: Record<string, number> = {
  succeeded: EXIT.succeeded,
  rejected: EXIT.rejected,
  expired: EXIT.expired,
  failed: EXIT.failed,
  cancelled: EXIT.cancelled,
  superseded: EXIT.cancelled,
};

export const exitCodeOf = (status: string): number | undefined => FINAL[status];

/** One change worth a line: `<at> <app> <environment|release> <event> [detail]`. */
export interface FollowEvent {
  at: string;
  app: string;
  environment: string;
  event: string;
  detail?: string;
}

/** Seconds precision: `2026-12-02T12:00:00Z`. */
export const timestamp = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * What changed between two snapshots of a release (`before` undefined: the
 * first one), in pipeline order: stage statuses (started, queued, waiting for
 * approval with whom it asked, rolled back…), each new vote, the rollout, each
 * check, and finally the release's own end.
 */
export function changes(before: Release | undefined, after: Release, at: string): FollowEvent[] {
  const events: FollowEvent[] = [];
  const push = (environment: string, event: string, detail?: string) => events.push({ at, app: after.app, environment, event, ...(detail ? { detail } : {}) });
  for (const stage of after.stages) {
    const old = before?.stages.find((s) => s.environment === stage.environment);
    const mine = after.approvals.filter((a) => a.environment === stage.environment);
    const approval = mine.find((a) => a.status === 'pending') ?? mine.at(-1);
    const changed = stage.status !== old?.status && !(stage.status === 'pending' && !old);
    // Starting and waiting come before the votes they lead to; an end comes after the rollout and checks that led to it.
    const opening = ['running', 'queued', 'waiting_for_approval'].includes(stage.status);
    const statusLine = () => {
      if (stage.status === 'waiting_for_approval') push(stage.environment, stage.status, `(asked: ${(approval?.approvers ?? []).join(', ') || 'nobody'})`);
      else if (stage.status === 'running') push(stage.environment, 'started');
      else if (stage.status === 'succeeded') push(stage.environment, 'deployed', stage.detail ?? after.image);
      else push(stage.environment, stage.status, stage.detail);
    };
    if (changed && opening) statusLine();
    const oldVotes = before?.approvals.find((a) => a.id === approval?.id)?.votes?.length ?? 0;
    for (const vote of (approval?.votes ?? []).slice(oldVotes)) push(stage.environment, 'vote', `${vote.voter} ${vote.decision}${vote.comment ? ` ("${vote.comment}")` : ''}`);
    if (stage.rolledOutAt && !old?.rolledOutAt) push(stage.environment, 'rolled_out');
    for (const check of (stage.checks ?? []).slice(old?.checks?.length ?? 0)) push(stage.environment, 'check', describeCheck(check));
    if (changed && !opening) statusLine();
  }
  if (before?.status !== after.status && exitCodeOf(after.status) !== undefined) push('release', after.status, after.reason ?? after.id);
  return events;
}

const describeCheck = (check: { name: string; kind: string; phase: string; passed: boolean; summary?: string }) =>
  `${check.name} (${check.kind}, ${check.phase}) ${check.passed ? 'passed' : 'failed'}${check.summary ? `: ${check.summary}` : ''}`;

export const formatEvent = (e: FollowEvent) => `${e.at} ${e.app} ${e.environment} ${e.event}${e.detail ? ` ${e.detail}` : ''}`;

export interface FollowOptions {
  api: ApiClient;
  id: string;
  timeoutMs: number;
  pollMs: number;
  emit: (event: FollowEvent) => void;
  warn: (message: string) => void;
  /** The release as the caller already has it (POST's answer), so its state prints at once. */
  first?: Release;
  /** Each snapshot as it arrives, before its changes are emitted (the live view on a terminal). */
  onSnapshot?: (release: Release) => void;
}

/**
 * Polls GET /v1/releases/{id} until the release ends (its exit code) or the
 * timeout passes (6; the release goes on). A refusal (401, 403, 404) ends it
 * with 1; no answer or a 5xx is retried until the timeout.
 */
export async function follow({ api, id, timeoutMs, pollMs, emit, warn, first, onSnapshot }: FollowOptions): Promise<{ code: number; release?: Release }> {
  const deadline = Date.now() + timeoutMs;
  let last: Release | undefined;
  let unreachable = false;
  let current = first;
  for (;;) {
    if (!current) {
      try {
        current = await ok<Release>(api.GET('/v1/releases/{id}', { params: { path: { id } } }), `release ${id}`);
        if (unreachable) warn(`reached Gatekeeper again`);
        unreachable = false;
      } catch (error) {
        if (!(error instanceof ApiError) || (error.status !== undefined && error.status < 500)) throw error;
        if (!unreachable) warn(`${error.message}; retrying until the timeout`);
        unreachable = true;
      }
    }
    if (current) {
      onSnapshot?.(current);
      for (const event of changes(last, current, timestamp(new Date()))) emit(event);
      last = current;
      const code = exitCodeOf(current.status);
      if (code !== undefined) return { code, release: current };
    }
    current = undefined;
    const left = deadline - Date.now();
    if (left <= 0) {
      warn(`timed out waiting for release ${id} (${last?.status ?? 'unknown'}); it goes on: gatekeeper status ${id} --watch`);
      return { code: EXIT.timedOut, ...(last ? { release: last } : {}) };
    }
    await sleep(Math.min(pollMs, left));
  }
}
