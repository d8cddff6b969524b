import type { DeploymentTarget } from './cluster';
import { buildPipeline, fromLegacyOrder, type Pipeline, type PipelineNode } from './pipeline';
import type { ApprovalPolicy } from './policy';

/** An environment of an app: where it lives, what it follows in the pipeline, and its approval gate. */
export interface Environment {
  app: string;
  name: string;
  /** Position in the app's definition (and, for apps defined before pipelines, in its chain). */
  order: number;
  /**
   * The environments this one deploys after (all must succeed first); empty
   * for those that start the pipeline. Absent on apps defined before
   * pipelines: their environments form a chain by `order`.
   */
  after?: string[];
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

/** The app's environments as the graph a release follows. */
export const pipelineOf = (app: App): Pipeline => buildPipeline(pipelineNodes(app));

/** What a release stores of the pipeline: each environment with what it follows, in pipeline order. */
export function pipelineNodes(app: App): PipelineNode[] {
  if (!app.environments.some((env) => env.after !== undefined)) {
    const pipeline = fromLegacyOrder(app.environments);
    return pipeline.order.map((name) => ({ name, after: [...(pipeline.predecessors.get(name) ?? [])] }));
  }
  const sorted = [...app.environments].sort((a, b) => a.order - b.order);
  return sorted.map((env) => ({ name: env.name, after: env.after ?? [] }));
}
