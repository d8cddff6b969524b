/** Where an environment's workload lives in its cluster. */
export interface DeploymentTarget {
  namespace: string;
  deployment: string;
  /** Name of the container whose image Gatekeeper manages. */
  container: string;
}

export interface RolloutOptions {
  /** Give up (RolloutFailedError) when the rollout has not completed after this long. */
  timeoutMs: number;
  pollIntervalMs: number;
}

export interface RolloutStatus {
  image: string;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
}

/**
 * The only view of Kubernetes the step handlers have. Implemented over
 * @kubernetes/client-node (functions/adapters/kubernetes).
 */
export interface ClusterGateway {
  /** The image currently set on the target container. Throws DeploymentNotFoundError. */
  readImage(target: DeploymentTarget): Promise<string>;
  /** Sets the container image and returns the image it replaced. Throws DeploymentNotFoundError. */
  setImage(target: DeploymentTarget, image: string): Promise<{ previousImage: string }>;
  /**
   * Resolves once the Deployment's current generation is fully rolled out
   * (observedGeneration ≥ generation, updated = available = desired replicas).
   * Rejects with RolloutFailedError on timeout or when Kubernetes reports
   * ProgressDeadlineExceeded.
   */
  waitForRollout(target: DeploymentTarget, options: RolloutOptions): Promise<RolloutStatus>;
}
