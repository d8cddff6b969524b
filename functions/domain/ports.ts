import type { ApprovalRequest, Vote } from './approval';
import type { AuditEvent } from './audit';
import type { ChainedAuditEvent, ChainHead } from './audit-chain';
import type { AuditCheckpoint } from './audit-checkpoint';
import type { Directory } from './authorization';
import type { AppConfig } from './config';
import type { ConfigDraft, ConfigVersion } from './config-change';
import type { Deployment } from './deployment';
import type { DayBucket } from './dora';
import type { ApiToken, App, Drift, Environment } from './catalog';
import type { Release, ReleaseStatus, Stage } from './release';

/**
 * Persistence and side-effect ports. Every method that changes state takes the
 * audit event(s) describing the change and writes them atomically with it.
 */
export interface CatalogStore {
  getApp(name: string): Promise<App | undefined>;
  getEnvironment(app: string, environment: string): Promise<Environment | undefined>;
  /** Every app with its environments, by name (from the environments index, never a Scan; eventually consistent). */
  listApps(): Promise<App[]>;
}

/**
 * Drift bookkeeping on the environment item. Both writes are conditional on
 * the environment still being as read (same recorded image, same drift), so
 * two reconciler passes at once record a drift once.
 */
export interface EnvironmentHealth {
  /** Every environment of every app (by index, never a Scan). */
  listEnvironments(): Promise<Environment[]>;
  recordDrift(env: Environment, drift: Drift, audit: AuditEvent): Promise<boolean>;
  clearDrift(env: Environment, audit: AuditEvent): Promise<boolean>;
}

export interface TokenStore {
  find(hash: string): Promise<ApiToken | undefined>;
  /** The token and the current directory in one read: a request is authenticated and then authorized by both. */
  findWithDirectory(hash: string): Promise<{ token: ApiToken | undefined; directory: VersionedDirectory }>;
  create(token: ApiToken, audit: AuditEvent): Promise<void>;
  list(): Promise<ApiToken[]>;
  /** Marks the token revoked; undefined if no token has this id. */
  revoke(id: string, audit: AuditEvent): Promise<ApiToken | undefined>;
}

export interface VersionedDirectory extends Directory {
  version: number;
}

export interface DirectoryStore {
  get(): Promise<VersionedDirectory>;
  /** Saves if the stored directory is still at `expectedVersion`; ConflictError otherwise. */
  save(next: Directory, expectedVersion: number, audit: AuditEvent): Promise<VersionedDirectory>;
}

export interface ReleaseView {
  release: Release;
  approvals: ApprovalRequest[];
}

/** B11: what a CI request with an Idempotency-Key produced, kept 24 h. */
export interface IdempotencyRecord {
  identity: string;
  key: string;
  bodyHash: string;
  releaseId: string;
  createdAt: string;
  /** Epoch seconds after which the key may be reused (DynamoDB TTL deletes it later). */
  expiresAt: number;
}

export interface ReleaseStore {
  /**
   * Fails with ConflictError if the id exists, or if `idempotency` is given and
   * an unexpired record for that identity and key exists.
   */
  create(release: Release, audit: AuditEvent, idempotency?: IdempotencyRecord): Promise<void>;
  findIdempotency(identity: string, key: string): Promise<IdempotencyRecord | undefined>;
  get(id: string): Promise<Release | undefined>;
  /** The release and its approval requests in one read. */
  view(id: string): Promise<ReleaseView | undefined>;
  /**
   * Records a stage change; a succeeded stage also becomes the environment's
   * current deployment. A finished stage passes its deployment record, written
   * in the same transaction with its metrics.
   */
  saveStage(release: Release, stage: Stage, audit: AuditEvent, finish?: DeploymentFinish): Promise<void>;
  /**
   * Writes the stage of an environment that has none yet (queued to start, or
   * cancelled before it could), unless the release ended; false when the
   * environment already has a stage or the release ended (another writer got
   * there first).
   */
  addStage(releaseId: string, stage: Stage, audit: AuditEvent): Promise<boolean>;
  /**
   * A rollback failed: the stage becomes `rollback_failed`, the failed
   * deployment's history record says so, and the environment is flagged for
   * an operator until a later deploy succeeds; one transaction.
   */
  recordRollbackFailure(release: Release, stage: Stage, failedDeploymentId: string, audit: AuditEvent): Promise<void>;
  /** B6: records the post-hoc review of a break-glass release; false if it was already reviewed. */
  closeReview(releaseId: string, review: { by: string; comment: string; at: string }, audit: AuditEvent): Promise<boolean>;
  /** Break-glass releases whose review is still open, oldest first. */
  listOpenReviews(): Promise<Release[]>;
  /**
   * Ends the release unless it already ended; returns false when it had. In the
   * same transaction its still-pending approval requests are closed (so no link
   * can decide a finished release) and `stages` are written.
   */
  finish(releaseId: string, outcome: ReleaseFinish, audit: AuditEvent): Promise<boolean>;
  /** Releases not yet in a terminal state, oldest first (the reconciler's sweep; a Query, never a Scan). */
  listInFlight(): Promise<Release[]>;
}

export interface ReleaseFinish {
  status: ReleaseStatus;
  at: string;
  reason?: string;
  /** Stages to rewrite with the outcome (e.g. a stage left `running` by a workflow that ended). */
  stages?: Stage[];
  /** A start that failed keeps no idempotent response: a retry with the same key starts afresh. */
  forgetIdempotency?: Pick<IdempotencyRecord, 'identity' | 'key'>;
}

export interface ApprovalStore {
  /** Opens the request and marks its stage waiting. Idempotent for the same task token (Lambda retries). */
  open(request: ApprovalRequest, audit: AuditEvent): Promise<void>;
  get(releaseId: string, environment: string): Promise<ApprovalRequest | undefined>;
  /**
   * The request, its app's audit-chain head, the current directory and whether
   * the request still stands, in one read, so a vote (judged against today's
   * groups and grants) costs two round trips in all.
   */
  getForVote(releaseId: string, environment: string, app: string): Promise<VoteRead>;
  /**
   * Persists `next` only if the stored request is still at `next.version - 1`
   * and pending, and the environment's policy is still the one the request was
   * opened under (and, for a vote that does not approve, its release has not
   * ended); throws ConflictError otherwise. When `read` says both held as read,
   * a vote that leaves the request pending is written without checking them
   * again. When the vote approved the request, its stage goes on `running` with
   * who approved it (image) or the draft is published (configuration) in the
   * same transaction.
   */
  saveVote(next: ApprovalRequest, vote: Vote, audit: AuditEvent[], read?: Pick<VoteRead, 'auditHead' | 'stands'>, publish?: ConfigPublication): Promise<void>;
  /** Closes a pending request without a decision; false if it was not pending any more. */
  close(request: ApprovalRequest, status: ClosedWithoutDecision, reason: string, audit: AuditEvent): Promise<boolean>;
  /** Pending requests, oldest first; for one app (and environment) or all. */
  listPending(filter?: { app: string; environment?: string }): Promise<ApprovalRequest[]>;
}

/** What a vote reads before it is decided. */
export interface VoteRead {
  request: ApprovalRequest | undefined;
  auditHead: ChainHead;
  directory: Directory;
  /** As read: the environment's policy is still the request's, and its release (image requests) has not ended. */
  stands: boolean;
}

export type ClosedWithoutDecision = 'expired' | 'cancelled' | 'superseded';

/** What a configuration request's approving vote publishes, in the same transaction. */
export interface ConfigPublication {
  version: ConfigVersion;
  draft: ConfigDraft;
}

/** Standalone audit writes, for refusals that change nothing else. */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
}

/**
 * Refusals by identities with no standing on the app (no role, never asked):
 * kept apart from the app's hash chain so a flood cannot contend with real
 * changes. Plain, unchained records by day, kept 90 days.
 */
export interface SecurityLog {
  record(event: AuditEvent): Promise<void>;
  /** One UTC day's records ('YYYY-MM-DD'), oldest first. */
  day(day: string, limit: number): Promise<AuditEvent[]>;
}

/** A fixed-window counter per key: `allowed` until `limit` takes within the window. */
export interface RateLimiter {
  take(key: string, limit: number, windowSeconds: number, now: Date): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  /** Seconds until `key` may act again, if this process already saw it over its limit (no I/O: the flood's fast path). */
  blocked(key: string, now: Date): number | undefined;
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

/**
 * B17: one notification email per event and person, although events are
 * delivered at least once. A marker per (event, person), kept until
 * `expiresAt` (epoch seconds; TTL), longer than any redelivery.
 */
export interface NotificationLedger {
  /** Records that `person` is being told about `eventId`; false when it already was (a redelivery). */
  claim(eventId: string, person: string, expiresAt: number): Promise<boolean>;
  /** Forgets a claim whose email could not be sent, so the redelivery sends it. */
  release(eventId: string, person: string): Promise<void>;
}

/**
 * Resumes a task waiting on its token; the token alone names the execution.
 * `gone` means nothing waits on the token any more (already resumed, timed out,
 * execution ended): a repeated delivery is harmless. Transient faults throw.
 */
export interface TaskCallbacks {
  resume(taskToken: string, output: Record<string, unknown>): Promise<CallbackDelivery>;
  fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery>;
  /** Starts loading what a callback needs (a client loaded on first use), without waiting; optional. */
  warm?(): void;
}

export type CallbackDelivery = 'delivered' | 'gone';

/** What a waiting task is told: success with an output, or failure with an error name and cause. */
export type TaskCallback =
  | { kind: 'success'; taskToken: string; output: Record<string, unknown> }
  | { kind: 'failure'; taskToken: string; error: string; cause: string };

/** A task callback that could not be delivered at once, kept until the reconciler delivers it. */
export interface OutboxItem {
  id: string;
  releaseId: string;
  app: string;
  callback: TaskCallback;
  createdAt: string;
  attempts: number;
  lastError?: string;
}

export interface Outbox {
  add(item: OutboxItem): Promise<void>;
  /** Oldest first. */
  list(limit: number): Promise<OutboxItem[]>;
  remove(id: string): Promise<void>;
  recordAttempt(id: string, error: string): Promise<void>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The release state machine. */
export interface Workflow extends TaskCallbacks {
  /** ARN an execution of this name will have; known before it starts so it can be stored first. */
  executionArn(name: string): string;
  start(name: string, input: Record<string, unknown>): Promise<void>;
  /** The execution's event history, oldest first: state names, inputs and outputs (undefined when it does not exist). */
  history(executionArn: string): Promise<ExecutionEvent[] | undefined>;
  /** The execution's status (undefined when it does not exist). */
  describe(executionArn: string): Promise<{ status: ExecutionStatus; error?: string; cause?: string } | undefined>;
}

export interface ExecutionEvent {
  id: number;
  timestamp: string;
  type: string;
  state?: string;
  detail?: unknown;
}

/** A finished deployment with what it adds to its day's metrics and the environment's failure streak. */
export interface DeploymentFinish {
  deployment: Deployment;
  day: string;
  increment: Omit<DayBucket, 'day'>;
  /** The environment's failure streak this finish was computed from (written only if still so)… */
  previousFailingSince: string | undefined;
  /** …and the streak after it. */
  failingSince: string | undefined;
  /** The failed deployment this one rolled back: its result becomes `rolled_back`. */
  rolledBackId?: string;
}

export interface DeploymentPage {
  deployments: Deployment[];
  /** Opaque; pass back to get the next (older) page. Absent on the last page. */
  cursor?: string;
}

export interface DeploymentStore {
  history(app: string, environment: string, options: { limit: number; cursor?: string }): Promise<DeploymentPage>;
  get(app: string, environment: string, id: string): Promise<Deployment | undefined>;
  /** The per-day metric buckets of a window, by UTC day ('YYYY-MM-DD', inclusive). */
  buckets(app: string, environment: string, fromDay: string, toDay: string): Promise<DayBucket[]>;
}

export interface AuditQuery {
  environment?: string;
  actor?: string;
  /** ISO instants: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export interface AuditReader {
  /** One page of an app's chain in sequence order, filtered. */
  page(app: string, query: AuditQuery): Promise<{ events: ChainedAuditEvent[]; cursor?: string }>;
  /** The whole chain of an app, in sequence order (verify, export). */
  all(app: string): Promise<ChainedAuditEvent[]>;
  /** The events after `afterSeq` (up to `upToSeq`, e.g. a head read first), in sequence order. */
  since(app: string, afterSeq: number, upToSeq?: number): Promise<ChainedAuditEvent[]>;
  head(app: string): Promise<ChainHead>;
  /** The latest signed checkpoint, if one was ever written. */
  checkpoint(app: string): Promise<AuditCheckpoint | undefined>;
  /** Stores a later checkpoint (false if one as late or later is already stored), with its audit event. */
  saveCheckpoint(checkpoint: AuditCheckpoint, audit: AuditEvent): Promise<boolean>;
}

export interface ConfigStore {
  /** The app's base configuration ({} until set). */
  base(app: string): Promise<AppConfig>;
  putBase(app: string, config: AppConfig, audit: AuditEvent): Promise<void>;
  latest(app: string, environment: string): Promise<ConfigVersion | undefined>;
  version(app: string, environment: string, version: number): Promise<ConfigVersion | undefined>;
  /** Newest first. */
  versions(app: string, environment: string, limit?: number): Promise<ConfigVersion[]>;
  /** Publishes at once (unprotected environments); ConflictError if another version was published since its base. */
  publish(version: ConfigVersion, audit: AuditEvent): Promise<void>;
  draft(app: string, environment: string): Promise<ConfigDraft | undefined>;
  /** Opens (or, with `previous`, replaces) the environment's draft and its approval request. */
  saveDraft(draft: ConfigDraft, request: ApprovalRequest, audit: AuditEvent, previous?: { draft: ConfigDraft; request: ApprovalRequest }): Promise<void>;
  /** Removes the draft and cancels its request. */
  discard(draft: ConfigDraft, request: ApprovalRequest, reason: string, audit: AuditEvent): Promise<void>;
}
