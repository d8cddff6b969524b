/** Where an environment's workload lives in its cluster. */
export interface DeploymentTarget {
  /**
   * Name of the cluster the environment lives in, as Gatekeeper's configuration
   * names it (CLUSTERS, or a kubeconfig context). Absent: the default cluster.
   */
  cluster?: string;
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

/** What a Deployment runs, as far as Gatekeeper manages it. */
export interface LiveWorkload {
  image: string;
  configHash?: string;
}

/** A secret-sourced env var value: becomes `valueFrom.secretKeyRef` on the container. */
export interface SecretRef {
  secretRef: { name: string; key: string };
}

/** CPU and memory quantities, in Kubernetes notation ("250m", "512Mi"). */
export interface ComputeResources {
  cpu?: string;
  memory?: string;
}

/**
 * What Gatekeeper manages of a workload's configuration. Every field is
 * optional: a field that is absent is left as it is in the cluster; a field
 * that is present replaces what Gatekeeper manages of it (see applyConfig).
 */
export interface WorkloadConfig {
  replicas?: number;
  env?: Record<string, string | SecretRef>;
  resources?: { requests?: ComputeResources; limits?: ComputeResources };
  configMap?: Record<string, string>;
}

/** The pod-template annotation that carries the applied configuration's hash. */
export const CONFIG_HASH_ANNOTATION = 'gatekeeper.dev/config-hash';

/** The ConfigMap Gatekeeper writes for a deployment: `<deployment>-config`, in its namespace. */
export const configMapNameOf = (target: DeploymentTarget): string => `${target.deployment}-config`;

/**
 * The only view of Kubernetes the step handlers have. Implemented over
 * @kubernetes/client-node (functions/adapters/kubernetes).
 */
export interface ClusterGateway {
  /** The image currently set on the target container. Throws DeploymentNotFoundError. */
  readImage(target: DeploymentTarget): Promise<string>;
  /**
   * What the environment runs now, from one read of the Deployment: the managed
   * container's image and the pod template's config-hash annotation (absent when
   * Gatekeeper never applied a configuration). Used to detect drift.
   * Throws DeploymentNotFoundError.
   */
  readWorkload(target: DeploymentTarget): Promise<LiveWorkload>;
  /** Sets the container image and returns the image it replaced. Throws DeploymentNotFoundError. */
  setImage(target: DeploymentTarget, image: string): Promise<{ previousImage: string }>;
  /**
   * Resolves once the Deployment's current generation is fully rolled out
   * (observedGeneration ≥ generation, updated = available = desired replicas).
   * Rejects with RolloutFailedError on timeout or when Kubernetes reports
   * ProgressDeadlineExceeded.
   */
  waitForRollout(target: DeploymentTarget, options: RolloutOptions): Promise<RolloutStatus>;
  /**
   * Applies a configuration: replicas, the managed container's env (secretRef →
   * valueFrom.secretKeyRef) and resources on the Deployment, and the ConfigMap
   * `<deployment>-config` in the same namespace (created if missing, replaced
   * otherwise), and sets the pod-template annotation
   * `gatekeeper.dev/config-hash: <hash>` so pods roll when only the ConfigMap
   * changed (an empty hash removes the annotation). Returns what it replaced
   * so a failed rollout can be undone. Verify with waitForRollout as for an image.
   *
   * Per field, when present:
   *  - `replicas` sets spec.replicas;
   *  - `env` becomes exactly the container's plain-value and secretKeyRef env
   *    vars (others are removed); env vars from sources Gatekeeper does not
   *    manage (fieldRef, configMapKeyRef, resourceFieldRef, optional
   *    secretKeyRef) are kept, before the managed ones; naming one of them is
   *    a ValidationError;
   *  - `resources` becomes exactly the container's cpu/memory requests and
   *    limits; other resource names (ephemeral-storage, GPUs…) are kept;
   *  - `configMap` becomes exactly the ConfigMap's `data` (nothing is mounted:
   *    the workload references the ConfigMap itself).
   * `previous` holds the replaced value of each field present in `config`
   * (no `configMap` when the ConfigMap did not exist). Throws
   * DeploymentNotFoundError.
   */
  applyConfig(target: DeploymentTarget, config: WorkloadConfig, configHash: string): Promise<{ previous: WorkloadConfig; previousHash?: string }>;
  /**
   * Reads the managed part of the live configuration (for "what runs now" and
   * rollback): replicas, the managed env vars, cpu/memory resources (as the
   * API server stores them), the ConfigMap's data (absent when there is no
   * ConfigMap) and the config-hash annotation. Throws DeploymentNotFoundError.
   */
  readConfig(target: DeploymentTarget): Promise<{ config: WorkloadConfig; hash?: string }>;
}

/** The clusters Gatekeeper deploys to, by name. */
export interface ClusterDirectory {
  /**
   * The gateway of the named cluster (absent: the default cluster). Throws
   * UnknownClusterError for a name that is not configured.
   */
  gateway(cluster?: string): ClusterGateway;
  /** Configured cluster names; the first is the default. */
  names(): string[];
}
