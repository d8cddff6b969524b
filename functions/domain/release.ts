import type { CheckResult } from './checks';
import type { WorkloadConfig } from './cluster';
import type { PinnedImage } from './image';
import type { PipelineNode } from './pipeline';
import { isUnsuccessfulEnding, type PipelineStageState } from './pipeline-progress';

export type ReleaseStatus =
  | 'running'
  | 'waiting_for_approval'
  | 'succeeded'
  | 'rejected'
  | 'expired'
  | 'failed'
  | 'cancelled'
  | 'superseded';

export const TERMINAL_STATUSES: readonly ReleaseStatus[] = ['succeeded', 'rejected', 'expired', 'failed', 'cancelled', 'superseded'];

export const isTerminal = (status: ReleaseStatus): boolean => TERMINAL_STATUSES.includes(status);

/**
 * Where one environment's promotion is. `queued`: its execution is being
 * started; `waiting_for_approval`: its request is open; `running`: approved
 * (or ungated), checks and the deploy are under way. The rest are endings.
 */
export type StageStatus =
  | 'queued'
  | 'waiting_for_approval'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'rolled_back'
  | 'rollback_failed'
  | 'rejected'
  | 'expired'
  | 'cancelled'
  | 'superseded';

export const STAGE_ENDINGS: readonly StageStatus[] = ['succeeded', 'failed', 'rolled_back', 'rollback_failed', 'rejected', 'expired', 'cancelled', 'superseded'];

export const isStageEnded = (status: StageStatus): boolean => STAGE_ENDINGS.includes(status);

/** One environment's promotion within a release: its execution, approval, checks and deployment. */
export interface Stage {
  environment: string;
  status: StageStatus;
  image: string;
  /** When the promotion began (the stage was queued). */
  startedAt: string;
  finishedAt?: string;
  detail?: string;
  /** The promotion's Step Functions execution; absent for a stage cancelled before it started. */
  executionName?: string;
  executionArn?: string;
  /** Who approved this environment (set when its request closes approved). */
  approvedBy?: string[];
  /** Pre- and post-deployment checks run so far, in order. */
  checks?: CheckResult[];
  /** When the deploy step first touched the cluster; what a rollback and the deployment history key on. */
  deployStartedAt?: string;
  /** When the rollout completed (post-deployment checks follow). */
  rolledOutAt?: string;
  previousImage?: string;
  /** The published configuration applied with the image (protected configuration). */
  configVersion?: number;
  configHash?: string;
  /** What Gatekeeper managed of the live configuration before, restored with the image if the rollout fails. */
  previousConfig?: WorkloadConfig;
  previousConfigHash?: string;
}

export interface Release {
  id: string;
  app: string;
  image: string;
  digest: string;
  commit?: string;
  author?: string;
  labels: string[];
  comment?: string;
  /** Identity behind the token that started the release. */
  requestedBy: string;
  /**
   * `rollback` redeploys an earlier deployment's image, `config` rolls the
   * running image out with newly approved configuration: both to one
   * environment, without a new image approval.
   */
  type?: 'release' | 'rollback' | 'config';
  /** For rollbacks: the deployment whose image (and configuration version, if it had one) is restored, and why. */
  rollbackOf?: { deploymentId: string; reason: string; configVersion?: number };
  /** When the commit was made (CI sends it): the start of the DORA lead time. */
  committedAt?: string;
  /** Config rollouts and rollbacks: who approved what is deployed (image releases record it per stage). */
  approvedBy?: string[];
  /** Approvers the requester named (a subset of the eligible); only they are asked. */
  approvers?: string[];
  /** Set when a break-glass holder deployed past the gates (B6). */
  breakGlass?: BreakGlass;
  /**
   * Stored: `running` until the release ends, then its outcome. Read through
   * releaseStatus(), which says `waiting_for_approval` while any stage waits.
   */
  status: ReleaseStatus;
  /** The app's pipeline when the release started: later changes to the app do not reshape a release in flight. */
  pipeline: PipelineNode[];
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Why the release ended the way it did, when it did not succeed. */
  reason?: string;
  /** By environment; an environment without a stage has not started. */
  stages: Record<string, Stage>;
}

/**
 * What a release is doing: its outcome once it ended, else
 * `waiting_for_approval` while any environment waits for people (they are the
 * ones to act), else `running`. Derived on read so that parallel stages never
 * race to write one status field.
 */
export function releaseStatus(release: Pick<Release, 'status' | 'stages'>): ReleaseStatus {
  if (isTerminal(release.status)) return release.status;
  return Object.values(release.stages).some((stage) => stage.status === 'waiting_for_approval') ? 'waiting_for_approval' : 'running';
}

/** The environments the pipeline ends in (nothing follows them): usually production, one per region. */
export function finalEnvironments(release: Pick<Release, 'pipeline'>): string[] {
  const followed = new Set(release.pipeline.flatMap((node) => node.after));
  return release.pipeline.map((node) => node.name).filter((name) => !followed.has(name));
}

/** The stage's state as the pipeline rules see it (a failed rollback is a failure). */
export function pipelineStateOf(stage: Stage | undefined): PipelineStageState {
  if (!stage) return 'pending';
  if (stage.status === 'queued') return 'running';
  if (stage.status === 'rollback_failed') return 'failed';
  return stage.status;
}

/** The environments whose ending other than success stops the release, in pipeline order. */
export function stoppedBy(release: Pick<Release, 'pipeline' | 'stages'>): string[] {
  return release.pipeline.map(({ name }) => name).filter((name) => isUnsuccessfulEnding(pipelineStateOf(release.stages[name])));
}

/** Why the release stopped (`"prod-us" was rejected (…)`), or undefined while nothing stopped it. */
export function stopReason(release: Pick<Release, 'pipeline' | 'stages'>): string | undefined {
  const names = stoppedBy(release);
  return names.length > 0 ? names.map((name) => `"${name}" ${endingWords(release.stages[name])}`).join(', ') : undefined;
}

/** "failed (CheckFailed: …)", "was rejected (Rejected by bob@…)". */
export function endingWords(stage: Stage | undefined): string {
  if (!stage) return 'did not start';
  const words: Partial<Record<StageStatus, string>> = {
    failed: 'failed',
    rolled_back: 'failed and was rolled back',
    rollback_failed: 'failed and its rollback failed',
    rejected: 'was rejected',
    expired: 'expired',
    cancelled: 'was cancelled',
    superseded: 'was superseded',
  };
  const word = words[stage.status] ?? stage.status;
  return stage.detail ? `${word} (${stage.detail})` : word;
}

/**
 * Execution names show in the Step Functions console, so they say what is
 * promoted: `<app>-<environment>-<short digest>-<UTC time>-<release id prefix>`.
 * The id prefix keeps two releases of one image in the same second apart.
 * Step Functions allows 80 characters of [A-Za-z0-9-_].
 */
export function executionName(app: string, environment: string, image: PinnedImage, now: Date, releaseId: string): string {
  const time = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = `-${image.shortDigest}-${time}-${releaseId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}`;
  const safe = (text: string) => text.replace(/[^A-Za-z0-9-_]/g, '-');
  const room = 80 - suffix.length;
  const env = safe(environment).slice(0, Math.floor(room / 2));
  return `${safe(app).slice(0, room - env.length - 1)}-${env}${suffix}`;
}

export interface BreakGlass {
  by: string;
  justification: string;
  at: string;
  /** The post-hoc review an approver closes. */
  review?: { by: string; comment: string; at: string };
}

export const MIN_JUSTIFICATION = 20;
