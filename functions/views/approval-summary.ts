import { evaluateRequest, type ApprovalRequest, type UpstreamEvidence } from '../domain/approval';
import type { Drift } from '../domain/catalog';
import { detailRows, escapeHtml } from './html';
import type { Fact } from './plain-text';

/**
 * The facts an approver decides on, shared by the email and the confirmation
 * page. Names, the pinned image, the commit SHA and identities are checked
 * against strict formats when they enter; labels and the comment are free
 * text and marked `submitted` (quoted in the email's text part).
 */
export function approvalFacts(request: ApprovalRequest, drift: Drift | undefined = request.drift): Fact[] {
  const running = drift?.image ?? request.currentImage ?? 'unknown';
  const evaluation = evaluateRequest(request);
  return [
    ['App', request.app],
    ['Environment', request.environment],
    ['Image', request.image],
    ['Commit', request.commit ?? ''],
    ['Author', request.author ?? ''],
    ['Requested by', request.requestedBy],
    ['Labels', request.labels.join(', '), 'submitted'],
    ['Comment', request.comment ?? '', 'submitted'],
    [`Running in ${request.environment} now`, running],
    ...(drift ? ([['Warning', driftWarning(drift)]] satisfies Fact[]) : []),
    // Check summaries quote what remote systems answered: shown as submitted text.
    ...(request.upstream ?? []).map((up): Fact => [`${up.environment} checks`, upstreamSummary(up), 'submitted']),
    ['Approvals', `${evaluation.approvals} so far: ${evaluation.summary}`],
    ['Rules', describePolicy(request)],
    ['Expires', request.expiresAt],
  ];
}

/** "passed: smoke (job): job smoke succeeded in 3 s; errors (prometheus): …", or that it had none. */
export function upstreamSummary(up: UpstreamEvidence): string {
  if (up.checks.length === 0) return 'deployed; it has no checks';
  const verdict = up.checks.every((c) => c.passed) ? 'passed' : 'did not all pass';
  return `${verdict}: ${up.checks.map((c) => `${c.name} (${c.kind}, ${c.phase}): ${c.summary}`).join('; ')}`;
}

/** Said wherever "running now" is shown, so nobody approves against a record the cluster contradicts. */
export function driftWarning(drift: Drift): string {
  return `${drift.image} differs from what Gatekeeper recorded (${drift.expectedImage}): changed outside Gatekeeper, seen since ${drift.since}`;
}

function describePolicy({ policy }: ApprovalRequest): string {
  const rules = policy.rules.map((r) => `${r.min} from ${r.group}`);
  return [`${policy.required} approval(s)`, ...rules].join(' and ');
}

export function approvalFactsHtml(request: ApprovalRequest, drift?: Drift): string {
  return detailRows(
    approvalFacts(request, drift ?? request.drift).map(([label, value]) => [
      label,
      label === 'Image' || label.startsWith('Running') || label === 'Commit' ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value),
    ]),
  );
}
