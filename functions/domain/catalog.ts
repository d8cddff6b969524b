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
  current?: { image: string; releaseId?: string; deployedAt: string };
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
