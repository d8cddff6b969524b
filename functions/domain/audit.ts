/**
 * One audit event per state change, written in the same transaction as the
 * change it records. `actor` is an email for people, `ci:<name>` for CI
 * identities and `system:<component>` for the state machine's own steps.
 */
export interface AuditEvent {
  id: string;
  app: string;
  actor: string;
  action: AuditAction;
  /** What the action was applied to, e.g. `release/<id>` or `release/<id>/approval/prod`. */
  subject: string;
  at: string;
  detail?: Record<string, unknown>;
}

export type AuditAction =
  | 'release.requested'
  | 'release.start-failed'
  | 'release.cancelled'
  | 'release.rollback'
  | 'release.finished'
  | 'deployment.started'
  | 'deployment.succeeded'
  | 'deployment.failed'
  | 'deployment.rolled-back'
  | 'deployment.rollback-failed'
  | 'deployment.rolled-out'
  | 'promotion.started'
  | 'promotion.finished'
  | 'check.passed'
  | 'check.failed'
  | 'environment.drift_detected'
  | 'environment.drift_cleared'
  | 'approval.requested'
  | 'approval.vote'
  | 'approval.decided'
  | 'approval.refused'
  | 'app.registered'
  | 'policy.changed'
  | 'directory.changed'
  | 'token.created'
  | 'token.revoked'
  | 'webhook.subscribed'
  | 'webhook.deleted'
  | 'release.superseded'
  | 'release.break-glass'
  | 'review.closed'
  | 'config.base-changed'
  | 'config.drafted'
  | 'config.draft-edited'
  | 'config.discarded'
  | 'config.published'
  | 'audit.checkpointed';

/** The state machine's steps (and the reconciler acting for it) appear in the audit trail as this actor. */
export const STEP_ACTOR = 'system:release-state-machine';

/** A new audit event: a fresh id, and the current time unless the caller pins `at` (one instant for several events). */
export function auditEvent(
  deps: { newId: () => string; clock: () => Date },
  fields: Omit<AuditEvent, 'id' | 'at'> & { at?: string },
): AuditEvent {
  return { id: deps.newId(), at: deps.clock().toISOString(), ...fields };
}
