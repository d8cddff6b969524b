import { evaluateRequest, type ApprovalRequest } from '../domain/approval';
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
    ['Approvals', `${evaluateRequest(request).approvals} so far: ${evaluateRequest(request).summary}`],
    ['Rules', describePolicy(request)],
    ['Expires', request.expiresAt],
  ];
}

function describePolicy({ policy }: ApprovalRequest): string {
  const rules = policy.rules.map((r) => `${r.min} from ${r.group}`);
  return [`${policy.required} approval(s)`, ...rules].join(' and ');
}

export function approvalFactsHtml(request: ApprovalRequest): string {
  return detailRows(
    approvalFacts(request).map(([label, value]) => [
      label,
      label === 'Image' || label.startsWith('Running') || label === 'Commit' ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value),
    ]),
  );
}
