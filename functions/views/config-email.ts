import type { ApprovalRequest } from '../domain/approval';
import type { MailMessage } from '../domain/ports';
import { escapeHtml, page } from './html';

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
  const subject = `[Gatekeeper] Configuration change needs approval: ${request.app} → ${request.environment}`;
  const text = [
    `${request.requestedBy} proposes a configuration change.`,
    '',
    ...configFacts(request)
      .filter(([, value]) => value)
      .map(([label, value]) => `${label}: ${value}`),
    '',
    request.configDiff ?? '',
    '',
    `Review and decide: ${link}`,
    '',
    'The link is personal to you, works once and expires with the request. Opening it changes nothing.',
  ].join('\n');
  const html = page(
    subject,
    `<h2>Configuration change: ${escapeHtml(request.app)} → ${escapeHtml(request.environment)}</h2>
<table>${configFacts(request)
      .filter(([, value]) => value)
      .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
      .join('')}</table>
${diffHtml(request.configDiff)}
<p><a href="${escapeHtml(link)}">Review and approve or reject</a></p>
<p class="note">This link is personal to ${escapeHtml(approver)}, works once and expires with the request. Opening it changes nothing.</p>`,
  );
  return { to: approver, subject, text, html };
}
