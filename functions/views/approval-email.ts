import type { ApprovalRequest } from '../domain/approval';
import type { MailMessage } from '../domain/ports';
import { approvalFacts, approvalFactsHtml } from './approval-summary';
import { escapeHtml, page } from './html';

/**
 * The link opens a confirmation page; nothing is decided by following it, so
 * mail scanners that pre-fetch links cannot approve anything (B1).
 */
export function approvalEmail(request: ApprovalRequest, approver: string, link: string): MailMessage {
  const subject = `[Gatekeeper] Approval needed: ${request.app} → ${request.environment} (${request.image.split('@')[1]?.slice(0, 19) ?? request.image})`;
  const text = [
    `${request.requestedBy} asks you to approve a production deployment.`,
    '',
    ...approvalFacts(request)
      .filter(([, value]) => value)
      .map(([label, value]) => `${label}: ${value}`),
    '',
    `Review and decide: ${link}`,
    '',
    'The link is personal to you, works once and expires with the request. Opening it changes nothing.',
  ].join('\n');
  const html = page(
    subject,
    `<h2>Approval needed: ${escapeHtml(request.app)} → ${escapeHtml(request.environment)}</h2>
${approvalFactsHtml(request)}
<p><a href="${escapeHtml(link)}">Review and approve or reject</a></p>
<p class="note">This link is personal to ${escapeHtml(approver)}, works once and expires with the request. Opening it changes nothing.</p>`,
  );
  return { to: approver, subject, text, html };
}
