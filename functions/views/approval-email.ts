import type { ApprovalRequest } from '../domain/approval';
import type { MailMessage } from '../domain/ports';
import type { Release } from '../domain/release';
import { approvalFacts, approvalFactsHtml } from './approval-summary';
import { linkEmail } from './link-email';
import { detailRows, escapeHtml, page } from './html';
import { factsSection, type Fact } from './plain-text';

/**
 * The link opens a confirmation page; nothing is decided by following it, so
 * mail scanners that pre-fetch links cannot approve anything (B1).
 */
export function approvalEmail(request: ApprovalRequest, approver: string, link: string): MailMessage {
  return linkEmail({
    to: approver,
    subject: `[Gatekeeper] Approval needed: ${request.app} → ${request.environment} (${request.image.split('@')[1]?.slice(0, 19) ?? request.image})`,
    heading: `Approval needed: ${request.app} → ${request.environment}`,
    intro: `${request.requestedBy} asks you to approve a production deployment.`,
    facts: approvalFacts(request),
    factsHtml: approvalFactsHtml(request),
    link,
  });
}

/** B6: everyone who could have approved hears at once that the gate was bypassed. */
export function breakGlassEmail(release: Release, environment: string, to: string, reviewsUrl: string): MailMessage {
  const glass = release.breakGlass;
  const subject = `[Gatekeeper] BREAK-GLASS: ${release.app} → ${environment} deployed without approval by ${glass?.by}`;
  const facts: Fact[] = [
    ['App', release.app],
    ['Environment', environment],
    ['Image', release.image],
    ['Commit', release.commit ?? ''],
    ['By', glass?.by ?? ''],
    ['Justification', glass?.justification ?? '', 'submitted'],
  ];
  const text = [
    `${glass?.by} deployed past the approval gate (and any freeze) with break-glass.`,
    `It awaits a post-hoc review by an approver: ${reviewsUrl}`,
    '',
    ...factsSection(facts),
  ].join('\n');
  const html = page(
    subject,
    `<h2>Break-glass deployment: ${escapeHtml(release.app)} → ${escapeHtml(environment)}</h2>
${detailRows(facts.map(([label, value]) => [label, escapeHtml(value)]))}
<p class="note">This deployment awaits a post-hoc review by an approver (<code>GET ${escapeHtml(reviewsUrl)}</code>).</p>`,
  );
  return { to, subject, text, html };
}
