import { evaluateRequest, isSelfApproval, normaliseIdentity, type ApprovalRequest } from '../domain/approval';
import type { Drift } from '../domain/catalog';
import type { Release } from '../domain/release';
import { approvalFactsHtml } from './approval-summary';
import { configFacts, DIFF_HEADING, diffHtml } from './config-email';
import { detailRows, escapeHtml, page } from './html';

/** What an image approver sees: the release's facts and where it stands. */
export const releaseDetails = (request: ApprovalRequest, release: Release, drift?: Drift) =>
  `${approvalFactsHtml(request, drift)}
<p>Release <code>${escapeHtml(release.id)}</code>, status <strong>${escapeHtml(release.status)}</strong>.</p>`;

/** What a config approver sees: author, comment and the diff of the effective configuration. */
export const configDetails = (request: ApprovalRequest) =>
  `${detailRows(configFacts(request).map(([label, value]) => [label, escapeHtml(value)]))}
<h3>${escapeHtml(DIFF_HEADING)}</h3>${diffHtml(request.configDiff)}`;

/**
 * The confirmation page behind an emailed link. Rendering it changes nothing;
 * the decision is the form's POST to the same URL. The form is shown only to
 * someone who can still decide; everyone else is told at once why not
 * (already voted, request closed and why, or their own release).
 */
export function approvalPage(request: ApprovalRequest, approver: string, details: string): string {
  const target = `${request.app} → ${request.environment}`;
  const own = request.votes.find((v) => v.voter === normaliseIdentity(approver));
  let title: string;
  let action: string;
  if (request.status !== 'pending') {
    // Decided or closed: the heading says so, and why, whoever opens the link.
    title = `${target}: ${request.status}`;
    const yours = own ? `You voted <strong>${escapeHtml(own.decision)}</strong> at ${escapeHtml(own.at)}. ` : '';
    action = note(`${yours}This request is <strong>${escapeHtml(request.status)}</strong>: ${escapeHtml(howItClosed(request))}. There is nothing left to decide.`);
  } else if (own) {
    title = `You voted ${own.decision}: ${target}`;
    action = note(`You already voted <strong>${escapeHtml(own.decision)}</strong> at ${escapeHtml(own.at)}; this link has been used. The request still waits: ${escapeHtml(evaluateRequest(request).summary)}.`);
  } else if (isSelfApproval(request, approver)) {
    title = `${target}: not yours to decide`;
    const whose = request.gate === 'config' ? 'You proposed this configuration change' : 'You authored or requested this release';
    action = note(`${whose}, so you cannot approve or reject it (self-approval). The approvers listed in the rules decide.`);
  } else {
    title = `Approve ${request.gate === 'config' ? 'the configuration of ' : ''}${target}?`;
    const redeploys = request.gate === 'config' && request.rolloutOnApprove ? note(`Approving also <strong>redeploys ${escapeHtml(request.environment)}</strong> at once with this configuration.`) : '';
    action = `${redeploys}<form method="post">
<p><label for="comment">Comment (optional)</label><br><textarea id="comment" name="comment" maxlength="2000"></textarea></p>
<p><button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button class="reject" type="submit" name="decision" value="reject">Reject</button></p>
</form>
${note(`You are signed in by this link as <strong>${escapeHtml(approver)}</strong>. It works once and expires at ${escapeHtml(request.expiresAt)}.`)}`;
  }
  const votes = request.votes.length
    ? `<h3>Votes so far</h3><ul>${request.votes
        .map((v) => `<li>${escapeHtml(v.voter)}: ${escapeHtml(v.decision)}${v.comment ? ` — “${escapeHtml(v.comment)}”` : ''}</li>`)
        .join('')}</ul>`
    : '';
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
${details}
${votes}${action}
${dashboardLink(request)}`,
  );
}

/** "approved by alice@…", "rejected by bob@…: not now", "cancelled: the release stopped because …". */
function howItClosed(request: ApprovalRequest): string {
  if (request.closedReason) return request.closedReason;
  const deciders = request.votes.filter((v) => (request.status === 'rejected' ? v.decision === 'reject' : v.decision === 'approve'));
  const comment = deciders.find((v) => v.comment)?.comment;
  const by = deciders.map((v) => v.voter).join(', ');
  return by ? `${request.status} by ${by}${comment ? `: “${comment}”` : ''}${request.decidedAt ? ` at ${request.decidedAt}` : ''}` : request.status;
}

/** Where the request lives in the dashboard: its release, or (configuration) its environment. */
function dashboardLink(request: ApprovalRequest): string {
  const href = request.gate === 'config' ? `/apps/${encodeURIComponent(request.app)}/envs/${encodeURIComponent(request.environment)}` : `/releases/${encodeURIComponent(request.releaseId)}`;
  const what = request.gate === 'config' ? `${request.app}/${request.environment} in the dashboard` : 'this release in the dashboard';
  return `<p><a href="${escapeHtml(href)}">See ${escapeHtml(what)}</a> (sign-in required).</p>`;
}

/** Callers pass HTML they escaped. */
const note = (html: string) => `<p class="note">${html}</p>`;

export function decisionPage(request: ApprovalRequest, decision: 'approve' | 'reject', closedAs?: string): string {
  const outcome =
    closedAs === 'approved' && request.gate === 'config'
      ? `The configuration is approved and published as the next version of ${escapeHtml(request.environment)}${request.rolloutOnApprove ? `, and ${escapeHtml(request.environment)} is being redeployed with it` : ''}.`
      : closedAs === 'approved'
      ? `The release is approved; ${escapeHtml(request.environment)} will now be deployed with <code>${escapeHtml(request.image)}</code>.`
      : closedAs === 'rejected'
        ? `The release is rejected; ${escapeHtml(request.environment)} stays as it is.`
        : 'Your approval is recorded; the request still needs more approvals.';
  return page('Decision recorded', `<h1>You voted ${escapeHtml(decision)}: ${escapeHtml(`${request.app} → ${request.environment}`)}</h1><p>${outcome}</p>\n${dashboardLink(request)}`);
}
