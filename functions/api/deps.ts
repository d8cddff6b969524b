import type { ApprovalStore, AuditLog, CatalogStore, ReleaseStore, Workflow } from '../domain/ports';
import type { Logger } from '../observability/logger';

export interface ApiDeps {
  catalog: CatalogStore;
  releases: ReleaseStore;
  approvals: ApprovalStore;
  audit: AuditLog;
  workflow: Workflow;
  signingSecret: () => Promise<string>;
  clock: () => Date;
  newId: () => string;
  log: Logger;
}

export interface ApiEnv {
  Variables: { identity: string };
}
