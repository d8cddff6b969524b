import { missingApprovals, type ApprovalRequest } from '../domain/approval';
import { detailRows, escapeHtml } from './html';

/** The facts an approver decides on, shared by the email and the confirmation page. */
export function approvalFacts(request: ApprovalRequest): Array<[string, string]> {
  return [
    ['App', request.app],
    ['Environment', request.environment],
    ['Image', request.image],
    ['Commit', request.commit ?? ''],
    ['Author', request.author ?? ''],
    ['Requested by', request.requestedBy],
    ['Labels', request.labels.join(', ')],
    ['Comment', request.comment ?? ''],
    [`Running in ${request.environment} now`, request.currentImage ?? 'unknown'],
    ['Approvals', `${request.votes.filter((v) => v.decision === 'approve').length} of ${request.required} (needs ${missingApprovals(request)} more)`],
    ['Expires', request.expiresAt],
  ];
}

export function approvalFactsHtml(request: ApprovalRequest): string {
  return detailRows(
    approvalFacts(request).map(([label, value]) => [
      label,
      label === 'Image' || label.startsWith('Running') || label === 'Commit' ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value),
    ]),
  );
}
