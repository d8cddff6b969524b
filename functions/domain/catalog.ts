import type { DeploymentTarget } from './cluster';
import type { ApprovalPolicy } from './policy';

/** An environment of an app, in promotion order, with its approval gate. */
export interface Environment {
  app: string;
  name: string;
  /** Position in the app's promotion chain: 0 deploys first. */
  order: number;
  target: DeploymentTarget;
  /** Who must approve (by role grants and group rules), how long a request waits, freezes. */
  policy: ApprovalPolicy;
  /** Bumped on every policy change; requests opened under an older one are void. */
  policyVersion?: number;
  /** Start of the current run of failed deployments (DORA time to restore); absent when healthy. */
  failingSince?: string;
  /** What Gatekeeper last deployed here (or what the environment was seeded with). */
  current?: { image: string; releaseId?: string; deployedAt: string; configHash?: string };
  /** The release whose deploy or rollback is changing the cluster now (drift checks skip it). */
  deploying?: { releaseId: string; since: string };
  /** The cluster runs something else than `current` (changed out of band); cleared by the next deploy. */
  drift?: Drift;
  /** A rollback failed here: the environment needs an operator until a later deploy succeeds. */
  attention?: { since: string; releaseId: string; reason: string };
}

/** What the cluster was found running, against what Gatekeeper recorded. */
export interface Drift {
  image: string;
  configHash?: string;
  expectedImage: string;
  expectedConfigHash?: string;
  /** When it was first seen. */
  since: string;
}

/**
 * Drift between what runs and what was recorded, if any. The configuration is
 * compared only when Gatekeeper recorded one (an environment never configured
 * through Gatekeeper carries no hash).
 */
export function driftOf(current: Environment['current'], live: { image: string; configHash?: string }, at: string): Drift | undefined {
  if (!current) return undefined;
  const imageDiffers = live.image !== current.image;
  const configDiffers = current.configHash !== undefined && live.configHash !== current.configHash;
  if (!imageDiffers && !configDiffers) return undefined;
  return {
    image: live.image,
    ...(live.configHash ? { configHash: live.configHash } : {}),
    expectedImage: current.image,
    ...(current.configHash ? { expectedConfigHash: current.configHash } : {}),
    since: at,
  };
}

export interface App {
  name: string;
  environments: Environment[];
}

/** A CI or personal API token, stored only as a hash of its secret. */
export interface ApiToken {
  /** Public handle for listing and revoking; never the secret. */
  id: string;
  hash: string;
  /** `ci:<name>` for service identities, an email for people. */
  identity: string;
  type: 'ci' | 'personal';
  description?: string;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  revokedAt?: string;
  revokedBy?: string;
}

/**
 * Issue 2's pipeline is one automatic environment followed by one gated one.
 * Returns them in that order or explains why the app does not fit.
 */
export function releasePath(app: App): { staging: Environment; production: Environment } | string {
  const [staging, production, ...rest] = [...app.environments].sort((a, b) => a.order - b.order);
  if (!staging || !production || rest.length > 0) {
    return `app "${app.name}" must have exactly two environments (staging then production), it has ${app.environments.length}`;
  }
  return { staging, production };
}
