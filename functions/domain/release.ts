import type { WorkloadConfig } from './cluster';
import type { PinnedImage } from './image';

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

export type StageStatus = 'running' | 'succeeded' | 'failed' | 'rolled_back' | 'rollback_failed';

/** One environment's deployment within a release. */
export interface Stage {
  environment: string;
  status: StageStatus;
  image: string;
  previousImage?: string;
  startedAt: string;
  finishedAt?: string;
  detail?: string;
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
   * environment, without staging or a new image approval.
   */
  type?: 'release' | 'rollback' | 'config';
  /** For rollbacks: the deployment whose image (and configuration version, if it had one) is restored, and why. */
  rollbackOf?: { deploymentId: string; reason: string; configVersion?: number };
  /** When the commit was made (CI sends it): the start of the DORA lead time. */
  committedAt?: string;
  /** Who approved production (set when the approval closes). */
  approvedBy?: string[];
  /** Approvers the requester named (a subset of the eligible); only they are asked. */
  approvers?: string[];
  /** Set when a break-glass holder deployed past the gate (B6). */
  breakGlass?: BreakGlass;
  status: ReleaseStatus;
  stagingEnvironment: string;
  productionEnvironment: string;
  executionName: string;
  executionArn: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Why the release ended the way it did, when it did not succeed. */
  reason?: string;
  stages: Record<string, Stage>;
}

/**
 * Execution names show in the Step Functions console, so they say what is
 * released: `<app>-<short digest>-<UTC time>-<release id prefix>`. The id
 * prefix keeps two releases of one image in the same second apart. Step
 * Functions allows 80 characters of [A-Za-z0-9-_].
 */
export function executionName(app: string, image: PinnedImage, now: Date, releaseId: string): string {
  const time = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = `-${image.shortDigest}-${time}-${releaseId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}`;
  const safeApp = app.replace(/[^A-Za-z0-9-_]/g, '-').slice(0, 80 - suffix.length);
  return `${safeApp}${suffix}`;
}

export interface BreakGlass {
  by: string;
  justification: string;
  at: string;
  /** The post-hoc review an approver closes. */
  review?: { by: string; comment: string; at: string };
}

export const MIN_JUSTIFICATION = 20;

/** Outcomes the state machine's Record* states report. */
export type ReleaseOutcome = Extract<ReleaseStatus, 'succeeded' | 'rejected' | 'expired' | 'failed' | 'cancelled' | 'superseded'>;
