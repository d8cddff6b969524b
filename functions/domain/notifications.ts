import { normaliseIdentity } from './approval';
import { can, type Directory } from './authorization';
import type { OutboundEvent, OutboundEventType } from './outbound-events';
import { isServiceIdentity } from './token';

/**
 * Who is emailed about an outbound event (B17). People hear about their own
 * release's outcomes; approvers hear that a request they were asked about no
 * longer needs them. Nobody is told about their own action, and only people
 * who may view the release are emailed at all: the author field is whatever
 * CI sent, so it must not make Gatekeeper mail release details to strangers.
 */

/** Why someone is told: the wording of their email depends on it. */
export type NotificationRole = 'requester' | 'author' | 'approver';

export interface Notification {
  /** A lowercase email address. */
  to: string;
  role: NotificationRole;
}

/** The release's people (requester and commit author) hear about outcomes; `rollback.started` is not one (its ending follows). */
const OUTCOMES: ReadonlySet<OutboundEventType> = new Set(['approval.decided', 'stage.deployed', 'check.failed', 'rollback.succeeded', 'rollback.failed']);

/** Whether the release's people are told about this event. A finished release is news only when it failed: every other ending was already told (decided, deployed). */
const tellsReleasePeople = (event: Pick<OutboundEvent, 'type' | 'subject'>): boolean =>
  OUTCOMES.has(event.type) || (event.type === 'release.finished' && event.subject.status === 'failed');

/** Whether the approvers who were asked are told: their request closed (decided, expired, cancelled, superseded). */
const tellsApprovers = (event: Pick<OutboundEvent, 'type'>): boolean => event.type === 'approval.decided';

/** Whether anyone could be told, so a caller can skip its reads for every other event. */
export const notifiesAnyone = (event: Pick<OutboundEvent, 'type' | 'subject'>): boolean => tellsReleasePeople(event) || tellsApprovers(event);

/**
 * The emails one event causes, one per person. `asked` is the closed
 * request's `notified` list (who got an approval link), read by the caller for
 * `approval.decided`. The actor (the deciding voter, whoever cancelled or
 * rolled back) is never told about their own action.
 */
export function notificationsFor(event: Pick<OutboundEvent, 'type' | 'actor' | 'subject'>, context: { asked: readonly string[]; directory: Directory }): Notification[] {
  const { subject } = event;
  const candidates: Array<{ to: string | undefined; role: NotificationRole }> = [
    ...(tellsReleasePeople(event)
      ? [
          { to: subject.requestedBy, role: 'requester' as const },
          { to: subject.author, role: 'author' as const },
        ]
      : []),
    ...(tellsApprovers(event) ? context.asked.map((to) => ({ to, role: 'approver' as const })) : []),
  ];
  const actor = normaliseIdentity(event.actor);
  const scope = { app: subject.app, environment: subject.environment ?? '*' };
  const seen = new Set<string>([actor]);
  const result: Notification[] = [];
  for (const candidate of candidates) {
    if (!candidate.to) continue;
    const to = normaliseIdentity(candidate.to);
    if (seen.has(to) || !isEmailAddress(to) || !can(context.directory, to, 'release.view', scope)) continue;
    seen.add(to);
    result.push({ to, role: candidate.role });
  }
  return result;
}

/** People are emails; `ci:` and `system:` identities and free-form author names ("Carol <carol@…>") are not mailed. */
const isEmailAddress = (id: string): boolean => !isServiceIdentity(id) && /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(id);
