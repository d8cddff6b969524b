import type { ApprovalRequest } from '../domain/approval';
import type { MailMessage } from '../domain/ports';
import { escapeHtml } from './html';
import { linkEmail } from './link-email';

/** The facts a config approver decides on: who changed what, why, and the diff. */
export function configFacts(request: ApprovalRequest): Array<[string, string]> {
  return [
    ['App', request.app],
    ['Environment', request.environment],
    ['Author', request.requestedBy],
    ['Comment', request.comment ?? ''],
    ['Base version', request.configBaseVersion === undefined ? '' : request.configBaseVersion === 0 ? 'none published yet' : `version ${request.configBaseVersion}`],
    ['Configuration hash', request.configHash ?? ''],
    ['Expires', request.expiresAt],
  ];
}

export const diffHtml = (diff: string | undefined) =>
  `<pre style="background:#f6f8fa;padding:.75rem;overflow:auto">${(diff ?? '')
    .split('\n')
    .map((line) => {
      const colour = line.startsWith('+') ? '#1a7f37' : line.startsWith('-') ? '#cf222e' : '#57606a';
      return `<span style="color:${colour}">${escapeHtml(line)}</span>`;
    })
    .join('\n')}</pre>`;

/** Sent to config approvers only; like the image email, opening the link changes nothing. */
export function configApprovalEmail(request: ApprovalRequest, approver: string, link: string): MailMessage {
  return linkEmail({
    to: approver,
    subject: `[Gatekeeper] Configuration change needs approval: ${request.app} → ${request.environment}`,
    heading: `Configuration change: ${request.app} → ${request.environment}`,
    intro: `${request.requestedBy} proposes a configuration change.`,
    facts: configFacts(request),
    extraText: request.configDiff ?? '',
    extraHtml: diffHtml(request.configDiff),
    link,
  });
}
