import type { AppConfig } from './config';

/** A published configuration of one environment. Deployments always use the latest. */
export interface ConfigVersion {
  app: string;
  environment: string;
  version: number;
  /** The environment's override as edited, and the effective config (base merged with it) at publication. */
  override: AppConfig;
  effective: AppConfig;
  hash: string;
  author: string;
  comment?: string;
  approvedBy: string[];
  publishedAt: string;
  /** The version this one was edited from. */
  baseVersion: number;
}

/**
 * A proposed change to a protected environment's configuration. At most one
 * is open per environment; it is approved by config approvers (not image
 * approvers) through the same request, vote and link code as images.
 */
export interface ConfigDraft {
  /** Also the id of its approval request's partition (`<draft id>.<environment>`). */
  id: string;
  app: string;
  environment: string;
  override: AppConfig;
  effective: AppConfig;
  hash: string;
  author: string;
  comment?: string;
  /** The published version it was edited from; if another was published since, it must be rebased. */
  baseVersion: number;
  /** Roll the running image out with the new configuration once approved. */
  rolloutOnApprove: boolean;
  createdAt: string;
  updatedAt: string;
}
