import type { Vote } from './approval';

/**
 * B17: what Gatekeeper tells the outside world (webhooks, Slack, notification
 * emails). Each is derived from one audit event, so it is committed in the
 * same transaction as the change it reports and carries that event's id.
 */
export type OutboundEventType =
  | 'release.started'
  | 'approval.requested'
  | 'approval.decided'
  | 'stage.deployed'
  | 'check.failed'
  | 'release.finished'
  | 'rollback.started'
  | 'rollback.succeeded'
  | 'rollback.failed'
  | 'drift.detected'
  | 'break_glass.used';

export const OUTBOUND_EVENT_TYPES: readonly OutboundEventType[] = [
  'release.started',
  'approval.requested',
  'approval.decided',
  'stage.deployed',
  'check.failed',
  'release.finished',
  'rollback.started',
  'rollback.succeeded',
  'rollback.failed',
  'drift.detected',
  'break_glass.used',
];

/** The thing an event is about, as much as a receiver needs to act without calling back. */
export interface OutboundSubject {
  app: string;
  releaseId?: string;
  environment?: string;
  image?: string;
  commit?: string;
  author?: string;
  requestedBy?: string;
  comment?: string;
  /** The release's, stage's or request's status after the event. */
  status?: string;
  /** Why it ended or was refused, in words. */
  reason?: string;
  /** Approval events: the votes so far and how many approvals the policy needs. */
  votes?: Vote[];
  required?: number;
  /** check.failed: which check and what it saw. */
  check?: { name: string; kind: string; phase: string; detail: string };
  /** The dashboard page of the subject (the approval, the release or the environment); never a personal link. */
  dashboardUrl: string;
}

/** One delivery's body: the id is the audit event's, stable across retries, for deduplication. */
export interface OutboundEvent {
  id: string;
  type: OutboundEventType;
  at: string;
  actor: string;
  subject: OutboundSubject;
}
