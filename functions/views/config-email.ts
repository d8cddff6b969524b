import type { ApprovalRequest } from '../domain/approval';
import type { MailMessage } from '../domain/ports';
import { escapeHtml } from './html';
import { linkEmail } from './link-email';
import type { Fact } from './plain-text';

/** The facts a config approver decides on: who changed what, why, and the diff. */
export function configFacts(request: ApprovalRequest): Fact[] {
  return [
    ['App', request.app],
    ['Environment', request.environment],
    ['Author', request.requestedBy],
    ['Comment', request.comment ?? '', 'submitted'],
    ['Base version', request.configBaseVersion === undefined ? '' : request.configBaseVersion === 0 ? 'none published yet' : `version ${request.configBaseVersion}`],
    ['Configuration hash', request.configHash ?? ''],
    ['On approval', request.rolloutOnApprove ? `${request.environment} is redeployed at once with this configuration (the image it runs now)` : `published; ${request.environment} gets it with its next deployment`],
    ['Expires', request.expiresAt],
  ];
}

/** Colours by class (the pages' CSP admits no `style=` attributes). */
export const diffHtml = (diff: string | undefined) =>
  `<pre class="diff">${(diff ?? '')
    .split('\n')
    .map((line) => `<span class="${line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : 'diff-ctx'}">${escapeHtml(line)}</span>`)
    .join('\n')}</pre>`;

export const DIFF_HEADING = 'Effective configuration, before → after';

/** Sent to config approvers only; like the image email, opening the link changes nothing. */
export function configApprovalEmail(request: ApprovalRequest, approver: string, link: string): MailMessage {
  return linkEmail({
    to: approver,
    subject: `[Gatekeeper] Configuration change needs approval: ${request.app} → ${request.environment}`,
    heading: `Configuration change: ${request.app} → ${request.environment}`,
    intro: `${request.requestedBy} proposes a configuration change.`,
    facts: configFacts(request),
    // The diff shows submitted values (a ConfigMap may hold whole files): quoted like any submitted text.
    extra: { heading: DIFF_HEADING, text: request.configDiff ?? '', html: diffHtml(request.configDiff) },
    link,
  });
}
