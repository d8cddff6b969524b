import type { ApprovalRequest, Vote } from './approval';
import type { AuditEvent } from './audit';
import type { ApiToken, App, Environment } from './catalog';
import type { Release, ReleaseStatus, Stage } from './release';

/**
 * Persistence and side-effect ports. Every method that changes state takes the
 * audit event(s) describing the change and writes them atomically with it.
 */
export interface CatalogStore {
  getApp(name: string): Promise<App | undefined>;
  getEnvironment(app: string, environment: string): Promise<Environment | undefined>;
  findToken(hash: string): Promise<ApiToken | undefined>;
}

export interface ReleaseView {
  release: Release;
  approvals: ApprovalRequest[];
}

export interface ReleaseStore {
  /** Fails with ConflictError if the id exists. */
  create(release: Release, audit: AuditEvent): Promise<void>;
  get(id: string): Promise<Release | undefined>;
  /** The release and its approval requests in one read. */
  view(id: string): Promise<ReleaseView | undefined>;
  /** Records a stage change; a succeeded stage also becomes the environment's current deployment. */
  saveStage(release: Release, stage: Stage, audit: AuditEvent): Promise<void>;
  /** Ends the release unless it already ended; returns false when it had. */
  finish(releaseId: string, outcome: { status: ReleaseStatus; at: string; reason?: string }, audit: AuditEvent): Promise<boolean>;
}

export interface ApprovalStore {
  /** Opens the request and marks the release waiting. Idempotent for the same task token (Lambda retries). */
  open(request: ApprovalRequest, audit: AuditEvent): Promise<void>;
  get(releaseId: string, environment: string): Promise<ApprovalRequest | undefined>;
  /**
   * Persists `next` only if the stored request is still at `next.version - 1`
   * and pending; throws ConflictError otherwise. When the vote approved the
   * request, the release goes back to `running` in the same transaction.
   */
  saveVote(next: ApprovalRequest, vote: Vote, audit: AuditEvent[]): Promise<void>;
  /** Closes a pending request without a vote (expired, cancelled); false if it was not pending. */
  close(request: ApprovalRequest, status: 'expired' | 'cancelled', audit: AuditEvent): Promise<boolean>;
}

/** Standalone audit writes, for refusals that change nothing else. */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Resumes a task waiting on its token; the token alone names the execution. */
export interface TaskCallbacks {
  resume(taskToken: string, output: Record<string, unknown>): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

/** The release state machine. */
export interface Workflow extends TaskCallbacks {
  /** ARN an execution of this name will have; known before it starts so it can be stored first. */
  executionArn(name: string): string;
  start(name: string, input: Record<string, unknown>): Promise<void>;
}
