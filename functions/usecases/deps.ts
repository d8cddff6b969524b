import type { ApprovalStore, AuditLog, AuditReader, CatalogStore, ConfigStore, DeploymentStore, DirectoryStore, Mailer, Outbox, RateLimiter, ReleaseStore, SecurityLog, TokenStore, Workflow } from '../domain/ports';
import type { DynamoCatalogWriter } from '../adapters/dynamodb/catalog-writer';
import type { Logger } from '../observability/logger';
import type { SigningKeySource } from '../domain/approval-link';
import type { WebhookStore } from '../domain/webhooks';

/** What every use case and step has: a clock, ids and a logger. */
export interface Essentials {
  clock: () => Date;
  newId: () => string;
  log: Logger;
}

/** What the use cases need; the API, the steps and the reconciler build it from configuration. */
export interface UseCaseDeps {
  catalog: CatalogStore;
  catalogWriter: DynamoCatalogWriter;
  tokens: TokenStore;
  directory: DirectoryStore;
  releases: ReleaseStore;
  approvals: ApprovalStore;
  deployments: DeploymentStore;
  configs: ConfigStore;
  /** Config approvers are emailed by the API itself (drafts need no state machine until approved). */
  mailer: Mailer;
  publicBaseUrl: string;
  /** Where a person sees an execution: the AWS console, or the local history endpoint. */
  executionUrl: (executionArn: string, releaseId: string) => string;
  audit: AuditLog;
  auditTrail: AuditReader;
  workflow: Workflow;
  /** Task callbacks that could not be delivered at once (the reconciler delivers them). */
  outbox: Outbox;
  /** Refusals by identities with no standing on the app, and the per-identity refusal limit. */
  securityLog: SecurityLog;
  limiter: RateLimiter;
  /** B17: webhook subscriptions and their deliveries. */
  webhooks: WebhookStore;
  signingSecret: SigningKeySource;
  clock: () => Date;
  newId: () => string;
  log: Logger;
}
