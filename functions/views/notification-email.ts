import type { Notification, NotificationRole } from '../domain/notifications';
import type { OutboundEvent } from '../domain/outbound-events';
import type { MailMessage } from '../domain/ports';
import { visible } from '../domain/text';
import { detailRows, escapeHtml, page } from './html';
import { dashboardLink, eventFacts, eventHeadline, eventTarget, eventTitle } from './outbound-summary';
import { factsSection } from './plain-text';

const WHY: Record<NotificationRole, string> = {
  requester: 'You receive this because you requested this release.',
  author: 'You receive this because you authored its commit.',
  approver: 'You receive this because you were asked to approve this request. It needs nothing more from you: your approval link no longer works.',
};

/**
 * B17: tells one person what happened to a release they care about. It links
 * to the dashboard page, where they sign in as themselves, never to a personal
 * approval link. As in the approval email, the link comes before anything
 * submitted, and submitted text is quoted in the text part.
 */
export function notificationEmail(event: OutboundEvent, notification: Notification): MailMessage {
  const subject = `[Gatekeeper] ${eventTitle(event)}: ${oneLine(eventTarget(event.subject))}`;
  const headline = `${eventHeadline(event)}.`;
  const why = WHY[notification.role];
  const link = dashboardLink(event.subject);
  const facts = eventFacts(event);
  const text = [
    headline,
    why,
    '',
    link ? `See it in Gatekeeper: ${link}` : 'See it on the Gatekeeper dashboard.',
    '',
    ...factsSection(facts),
  ].join('\n');
  const html = page(
    subject,
    `<h2>${escapeHtml(headline)}</h2>
<p>${escapeHtml(why)}</p>
${link ? `<p><a href="${escapeHtml(link)}">See it in Gatekeeper</a></p>` : ''}
${detailRows(facts.filter(([, value]) => value).map(([label, value]) => [label, label === 'Image' || label === 'Commit' ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value)]))}`,
  );
  return { to: notification.to, subject, text, html };
}

/** A subject line is one line, whatever a stored name holds. */
const oneLine = (value: string): string => visible(value).replace(/\s+/g, ' ');
