import { MailUnavailableError } from '../domain/errors';
import { notificationsFor, notifiesAnyone, type Notification } from '../domain/notifications';
import type { OutboundEvent } from '../domain/outbound-events';
import type { ApprovalStore, DirectoryStore, Mailer, NotificationLedger } from '../domain/ports';
import { errorFields, type Logger } from '../observability/logger';
import { notificationEmail } from '../views/notification-email';

/** A marker outlives any redelivery: DynamoDB Streams keeps records 24 h, and the reconciler's retries stop sooner. */
const MARKER_SECONDS = 7 * 24 * 3600;

export interface NotifyDeps {
  mailer: Mailer;
  /** For `approval.decided`: who was asked (the request's `notified`). */
  approvals: Pick<ApprovalStore, 'get'>;
  /** Only people who may view the release are emailed. */
  directory: Pick<DirectoryStore, 'get'>;
  notifications: NotificationLedger;
  clock: () => Date;
  log: Logger;
}

/**
 * B17: emails the people an outbound event concerns (domain/notifications.ts
 * says who), once per event and person although the stream delivers at least
 * once: each email is claimed in the ledger before it is sent, and the claim
 * is given back if sending fails, so the redelivery sends it. (A crash between
 * claim and send loses that one email: a missed notification beats a repeated
 * one for every redelivery.) Throws MailUnavailable when any email could not
 * be sent, after trying all, so the caller's retry sends only what is missing.
 */
export async function notifyOnOutboundEvent(deps: NotifyDeps, event: OutboundEvent): Promise<void> {
  if (!notifiesAnyone(event)) return;
  const { releaseId, environment } = event.subject;
  const request = event.type === 'approval.decided' && releaseId && environment ? await deps.approvals.get(releaseId, environment) : undefined;
  const recipients = notificationsFor(event, { asked: request?.notified ?? [], directory: await deps.directory.get() });
  if (recipients.length === 0) return;
  const expiresAt = Math.floor(deps.clock().getTime() / 1000) + MARKER_SECONDS;
  const outcomes = await Promise.allSettled(recipients.map((recipient) => sendOnce(deps, event, recipient, expiresAt)));
  const sent: string[] = [];
  const failed: string[] = [];
  outcomes.forEach((outcome, i) => {
    const { to } = recipients[i]!;
    if (outcome.status === 'rejected') failed.push(to);
    else if (outcome.value) sent.push(to);
  });
  deps.log.info('notifications', { eventId: event.id, type: event.type, releaseId, environment, sent, failed });
  if (failed.length > 0) {
    throw new MailUnavailableError(`${failed.length} of ${recipients.length} notification email(s) about event ${event.id} (${event.type}) could not be sent; a retry sends only those`);
  }
}

/** True when this call sent the email, false when an earlier delivery of the event already had. */
async function sendOnce(deps: NotifyDeps, event: OutboundEvent, recipient: Notification, expiresAt: number): Promise<boolean> {
  if (!(await deps.notifications.claim(event.id, recipient.to, expiresAt))) return false;
  try {
    await deps.mailer.send(notificationEmail(event, recipient));
    return true;
  } catch (error) {
    deps.log.error('notification email not sent', { eventId: event.id, to: recipient.to, ...errorFields(error) });
    await deps.notifications.release(event.id, recipient.to);
    throw error;
  }
}
