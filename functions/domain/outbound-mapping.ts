import type { ApprovalRequest } from './approval';
import type { AuditAction, AuditEvent } from './audit';
import type { OutboundEvent, OutboundEventType, OutboundSubject } from './outbound-events';
import { releaseStatus, type Release } from './release';

/**
 * Which audit actions the outside world hears about, and as what. Everything
 * else (votes, refusals, admin changes, passing checks, deploy starts) stays in
 * the audit trail only: a receiver gets what it can act on, once per fact.
 *  - a release (or a break-glass release) starts: release.started / break_glass.used;
 *  - a manual rollback starts (`release.rollback`): rollback.started; an
 *    automatic rollback after a failed rollout or check that restored the
 *    previous version (`deployment.rolled-back`): rollback.succeeded; a
 *    rollback that failed (`deployment.rollback-failed`): rollback.failed;
 *  - an environment deployed and verified (`deployment.succeeded`, also the
 *    rollback release's own deploy): stage.deployed.
 */
const TYPE_OF: Partial<Record<AuditAction, OutboundEventType>> = {
  'release.requested': 'release.started',
  'release.break-glass': 'break_glass.used',
  'approval.requested': 'approval.requested',
  'approval.decided': 'approval.decided',
  'deployment.succeeded': 'stage.deployed',
  'check.failed': 'check.failed',
  'release.finished': 'release.finished',
  'release.rollback': 'rollback.started',
  'deployment.rolled-back': 'rollback.succeeded',
  'deployment.rollback-failed': 'rollback.failed',
  'environment.drift_detected': 'drift.detected',
};

/**
 * A request closed without a decision (its requester cancelled, a policy
 * change voided it, a newer release superseded it) is recorded on the
 * request's subject; receivers and the approvers asked hear it as the
 * request's ending, like an expiry.
 */
function typeOf(audit: AuditEvent): OutboundEventType | undefined {
  const closesRequest = (audit.action === 'release.cancelled' || audit.action === 'release.superseded') && audit.subject.includes('/approval/');
  return closesRequest ? 'approval.decided' : TYPE_OF[audit.action];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
const field = (detail: Record<string, unknown> | undefined, key: string): string | undefined => text(detail?.[key]);

/**
 * Subjects are `release/<id>[/<env>[/checks/<name>]]`,
 * `release/<id>/approval/<env>` or `app/<app>/env/<env>` (audit writers).
 */
function parseSubject(subject: string): { releaseId?: string; environment?: string; check?: string } {
  const parts = subject.split('/');
  if (parts[0] === 'app' && parts[2] === 'env') return { ...(parts[3] ? { environment: parts[3] } : {}) };
  if (parts[0] !== 'release' || !parts[1]) return {};
  const environment = parts[2] === 'approval' ? parts[3] : parts[2];
  return { releaseId: parts[1], ...(environment ? { environment } : {}), ...(parts[3] === 'checks' && parts[4] ? { check: parts[4] } : {}) };
}

/** The dashboard page of what the event is about: the approval, the environment (drift) or the release. Never a personal link. */
function dashboardUrl(base: string, type: OutboundEventType, app: string, releaseId?: string, environment?: string): string {
  if (type === 'approval.requested' && releaseId && environment) return `${base}/approvals#${releaseId}-${environment}`;
  if (releaseId) return `${base}/releases/${releaseId}`;
  return environment ? `${base}/apps/${app}/envs/${environment}` : `${base}/`;
}

/** The outbound event an audit event stands for, or undefined when receivers are not told about it. Its id is the audit event's. */
export function outboundEventOf(audit: AuditEvent, publicBaseUrl: string): OutboundEvent | undefined {
  const type = typeOf(audit);
  if (!type) return undefined;
  const { releaseId, environment, check } = parseSubject(audit.subject);
  const detail = audit.detail;
  const runs = detail?.runs as Record<string, unknown> | undefined;
  const expected = detail?.expected as Record<string, unknown> | undefined;
  const subject: OutboundSubject = {
    app: audit.app,
    ...(releaseId ? { releaseId } : {}),
    ...(environment ? { environment } : {}),
    ...(type === 'drift.detected' && text(runs?.image) ? { image: text(runs?.image), reason: `runs ${text(runs?.image)}, Gatekeeper deployed ${text(expected?.image) ?? 'something else'}` } : {}),
    ...(field(detail, 'status') ? { status: field(detail, 'status') } : {}),
    ...(field(detail, 'reason') && type !== 'drift.detected' ? { reason: field(detail, 'reason') } : {}),
    ...(check ? { check: { name: check, kind: field(detail, 'kind') ?? '', phase: field(detail, 'phase') ?? '', detail: field(detail, 'summary') ?? '' } } : {}),
    dashboardUrl: dashboardUrl(publicBaseUrl, type, audit.app, releaseId, environment),
  };
  return { id: audit.id, type, at: audit.at, actor: audit.actor, subject };
}

/**
 * Fills the subject from the release as it is now: what is being released
 * and by whom, and for approval events the votes so far and what the policy
 * needs. What the audit event said (status, reason) wins over the record.
 */
export function withRelease(event: OutboundEvent, release: Release, approvals: ApprovalRequest[]): OutboundEvent {
  const { subject } = event;
  const stage = subject.environment ? release.stages[subject.environment] : undefined;
  const request = event.type.startsWith('approval.') ? approvals.find((r) => r.environment === subject.environment && r.gate === 'image') : undefined;
  const status = subject.status ?? (request?.status ?? (subject.environment ? stage?.status : releaseStatus(release)));
  return {
    ...event,
    subject: {
      ...subject,
      image: subject.image ?? stage?.image ?? release.image,
      ...(release.commit ? { commit: release.commit } : {}),
      ...(release.author ? { author: release.author } : {}),
      requestedBy: release.requestedBy,
      ...(release.comment ? { comment: release.comment } : {}),
      ...(status ? { status } : {}),
      ...(!subject.reason && release.reason && event.type === 'release.finished' ? { reason: release.reason } : {}),
      ...(request ? { votes: request.votes, required: request.policy.required } : {}),
    },
  };
}
