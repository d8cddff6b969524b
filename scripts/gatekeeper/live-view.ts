import { createLogUpdate } from 'log-update';
import { formatEvent, timestamp, type FollowEvent } from './follow';
import type { Approval, Release, Stage } from './types';

/** `65` → `1m05s`; `3725` → `1h02m05s`. */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const [h, m, rest] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h${two(m)}m${two(rest)}s` : m > 0 ? `${m}m${two(rest)}s` : `${rest}s`;
}

const MARK: Record<string, string> = {
  pending: '·',
  queued: '▸',
  running: '▸',
  waiting_for_approval: '◷',
  succeeded: '✔',
  cancelled: '–',
  superseded: '–',
};
/** Every other stage status (failed, rolled_back, rollback_failed, rejected, expired) is a failure. */
const mark = (status: string) => MARK[status] ?? '✖';

/** `approvals 1/2: alice@example.com ✔ (asked alice@example.com, bob@example.com)`; empty without a gate. */
function approvalLine(approval: Approval | undefined): string {
  if (!approval?.policy || approval.policy.required === 0) return '';
  const votes = (approval.votes ?? []).map((v) => `${v.voter} ${v.decision === 'approve' ? '✔' : '✖'}`);
  const asked = approval.status === 'pending' && approval.approvers?.length ? ` (asked ${approval.approvers.join(', ')})` : '';
  return `approvals ${approval.approvals ?? 0}/${approval.policy.required}${votes.length ? `: ${votes.join(', ')}` : ''}${asked}`;
}

function stageLine(stage: Stage, approval: Approval | undefined, width: number): string {
  const checks = (stage.checks ?? []).map((c) => `${c.name} ${c.passed ? '✔' : '✖'}`);
  const parts = [
    `${mark(stage.status)} ${stage.environment.padEnd(width)}  ${stage.status.replaceAll('_', ' ')}`,
    approvalLine(approval),
    checks.length ? `checks: ${checks.join(', ')}` : '',
    stage.status !== 'succeeded' && stage.detail ? stage.detail : '',
  ];
  return `  ${parts.filter(Boolean).join('  ')}`;
}

/**
 * The live view of a release, a pure function of the API's answer and the
 * time: a header (app, id, status, elapsed since the release was created, or
 * its whole duration once finished) and one line per stage in pipeline order
 * with its status, the approvals so far against the policy (who voted, who
 * was asked) and its checks.
 */
export function renderRelease(release: Release, now: Date, followedSince: Date = now): string {
  const start = release.createdAt ? Date.parse(release.createdAt) : followedSince.getTime();
  const end = release.finishedAt ? Date.parse(release.finishedAt) : now.getTime();
  const width = Math.max(...release.stages.map((s) => s.environment.length), 0);
  const header = `${release.app} release ${release.id}  ${release.status.replaceAll('_', ' ')}  ${formatElapsed((end - start) / 1000)}`;
  const stages = release.stages.map((stage) => {
    const mine = release.approvals.filter((a) => a.environment === stage.environment);
    return stageLine(stage, mine.find((a) => a.status === 'pending') ?? mine.at(-1), width);
  });
  return [header, ...stages, ...(release.reason && release.finishedAt ? [`  ${release.reason}`] : [])].join('\n');
}

/** What following a release shows on a terminal (see createLiveView). */
export interface LiveView {
  /** A change worth remembering: kept in the scrollback above the view. */
  event: (event: FollowEvent) => void;
  warn: (message: string) => void;
  /** A new snapshot: the view is redrawn in place. */
  show: (release: Release) => void;
  /** The last frame stays; the cursor comes back. */
  stop: () => void;
}

/**
 * The view on a TTY, redrawn in place by log-update; each change is also
 * printed once above it, so the scrollback keeps the same lines CI logs get.
 * A one-second tick keeps the elapsed time moving between polls.
 */
export function createLiveView(stream: NodeJS.WriteStream, clock: () => Date = () => new Date()): LiveView {
  const log = createLogUpdate(stream);
  const since = clock();
  let last: Release | undefined;
  const draw = () => {
    if (last) log(renderRelease(last, clock(), since));
  };
  const ticker = setInterval(draw, 1000);
  ticker.unref();
  // persist() erases the frame; draw it again below what was kept.
  const keep = (line: string) => {
    log.persist(line);
    draw();
  };
  return {
    event: (event) => keep(formatEvent(event)),
    warn: (message) => keep(`${timestamp(clock())} gatekeeper: ${message}`),
    show: (release) => {
      last = release;
      draw();
    },
    stop: () => {
      clearInterval(ticker);
      draw();
      log.done();
    },
  };
}
