import { castVote, normaliseIdentity, type ApprovalRequest, type Decision, type VoteResult } from '../domain/approval';
import { auditEvent, type AuditEvent } from '../domain/audit';
import { rolesOf, type Directory } from '../domain/authorization';
import { withCurrentEligibility } from '../domain/eligibility';
import { ConflictError, GatekeeperError, NotFoundError, TooManyRequestsError } from '../domain/errors';
import type { TaskCallback } from '../domain/ports';
import { publicationFor, rolloutConfig } from './config-changes';
import type { UseCaseDeps } from './deps';
import { deliverCallback } from './task-callbacks';

const MAX_ATTEMPTS = 8;

/** Who votes on which request: from a verified email link or an authenticated API caller. */
export interface Ballot {
  releaseId: string;
  /** Known from a link: lets the request and the audit head be read together. */
  app?: string;
  environment: string;
  voter: string;
}

/**
 * Records one approver's decision. Each attempt is one consistent read (the
 * request, the audit head and today's directory together) and one transaction
 * conditional on the request's version, so of any number of simultaneous clicks
 * exactly one closes the request and only that one resumes the state machine.
 * Eligibility is judged against the current directory, so an approver removed
 * since the request opened is refused. A lost race re-reads and re-decides.
 * Refusals are audited. Once committed, the decision reaches the state machine
 * (now, or from the outbox through the reconciler): the voter is never told 500.
 */
export async function recordVote(deps: UseCaseDeps, ballot: Ballot, decision: Decision, comment?: string): Promise<VoteResult> {
  const wait = deps.limiter.blocked(refusalKey(ballot.voter), deps.clock());
  if (wait !== undefined) throw tooManyRefusals(ballot.voter, wait);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { request: stored, read, directory } = await readForVote(deps, ballot);
    if (!stored) throw new NotFoundError(`release ${ballot.releaseId} has no approval request for ${ballot.environment}`);
    const request = withCurrentEligibility(stored, directory);
    const at = deps.clock().toISOString();
    const vote = { voter: ballot.voter, decision, at, ...(comment ? { comment } : {}) };
    const audit = (action: AuditEvent['action'], detail: Record<string, unknown>): AuditEvent =>
    auditEvent(deps, {
        app: request.app,
        actor: ballot.voter,
        action,
        subject: `release/${request.releaseId}/approval/${request.environment}`,
        at,
        detail,
      });

    let result: VoteResult;
    try {
      result = castVote(request, vote, deps.clock());
    } catch (error) {
      if (error instanceof GatekeeperError) await recordRefusal(deps, { stored, directory, voter: ballot.voter }, audit('approval.refused', { decision, reason: error.type, detail: error.message }));
      throw error;
    }
    const approvers = result.request.votes.filter((v) => v.decision === 'approve').map((v) => v.voter);
    // An approved configuration is published in the vote's own transaction; a stale draft is refused (409) and nothing is written.
    const publication = request.gate === 'config' && result.closedAs === 'approved' ? await publicationFor(deps, request, approvers) : undefined;
    // A vote that closes resumes the state machine once committed: its client loads during the write.
    if (request.gate === 'image' && result.closedAs) deps.workflow.warm?.();
    const events = [audit('approval.vote', { decision, comment, ...(request.gate === 'config' ? { configHash: request.configHash } : { image: request.image }) })];
    if (result.closedAs) events.push(audit('approval.decided', { status: result.closedAs, votes: result.request.votes.length, summary: result.evaluation.summary }));
    if (publication) events.push(audit('config.published', { version: publication.version.version, hash: publication.version.hash, approvedBy: approvers }));
    try {
      await deps.approvals.saveVote(result.request, result.vote, events, read, publication);
    } catch (error) {
      if (error instanceof ConflictError) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
        continue;
      }
      throw error;
    }
    deps.log.info('vote recorded', { releaseId: request.releaseId, environment: request.environment, voter: ballot.voter, decision, closedAs: result.closedAs, summary: result.evaluation.summary });
    if (request.gate === 'image' && result.closedAs) await deliverCallback(deps, request, decisionCallback(result.request));
    if (publication?.draft.rolloutOnApprove) await rolloutConfig(deps, publication.version, approvers);
    return result;
  }
  throw new ConflictError('too many simultaneous decisions on this request; reload the page and try again');
}

/**
 * One round trip when the ballot names the app (a link); otherwise the request
 * and the directory are read side by side (the chain head is read with the
 * write, unless this process wrote it last, and the write checks the policy
 * and the release itself).
 */
async function readForVote(deps: UseCaseDeps, ballot: Ballot) {
  if (ballot.app) {
    const { request, directory, auditHead, stands } = await deps.approvals.getForVote(ballot.releaseId, ballot.environment, ballot.app);
    return { request, directory, read: { auditHead, stands } };
  }
  const [request, directory] = await Promise.all([deps.approvals.get(ballot.releaseId, ballot.environment), deps.directory.get()]);
  return { request, directory, read: undefined };
}

/** Refused votes an identity may have recorded per minute; past it, 429 and nothing is written. */
const REFUSALS_PER_MINUTE = 30;

/**
 * A refused vote is recorded, but never at the expense of real changes: an
 * identity with standing on the app (asked when the request opened, or holding
 * a role on it now) goes into the app's hash chain; anyone else into the
 * security log, which no writer waits on. Either way an identity gets a fair
 * share of refusals per minute; beyond it the answer is 429 with Retry-After.
 */
async function recordRefusal(deps: UseCaseDeps, who: { stored: ApprovalRequest; directory: Directory; voter: string }, event: AuditEvent): Promise<void> {
  const voter = normaliseIdentity(who.voter);
  const limit = await deps.limiter.take(refusalKey(voter), REFUSALS_PER_MINUTE, 60, deps.clock());
  if (!limit.allowed) {
    deps.log.warn('refused votes rate limited', { voter, app: who.stored.app, releaseId: who.stored.releaseId });
    throw tooManyRefusals(voter, limit.retryAfterSeconds);
  }
  const scope = { app: who.stored.app, environment: who.stored.environment };
  const standing = who.stored.eligible.some((v) => v.id === voter) || rolesOf(who.directory, voter, scope).length > 0;
  await (standing ? deps.audit.record(event) : deps.securityLog.record(event));
}

const refusalKey = (voter: string) => `refused-votes#${normaliseIdentity(voter)}`;

function tooManyRefusals(voter: string, retryAfterSeconds: number): TooManyRequestsError {
  const error = new TooManyRequestsError(`${normaliseIdentity(voter)} has had ${REFUSALS_PER_MINUTE} votes refused within a minute; try again in ${retryAfterSeconds} s`);
  error.retryAfterSeconds = retryAfterSeconds;
  return error;
}

/** The decision, as the task waiting on the request's token is told it. */
export function decisionCallback(request: ApprovalRequest): TaskCallback {
  if (request.status === 'approved') {
    const approvers = request.votes.filter((v) => v.decision === 'approve').map((v) => v.voter);
    return {
      kind: 'success',
      taskToken: request.taskToken,
      output: { decision: 'approved', approvedBy: approvers, approvedAt: request.decidedAt, environment: request.environment, image: request.image },
    };
  }
  const rejecter = request.votes.find((v) => v.decision === 'reject');
  return { kind: 'failure', taskToken: request.taskToken, error: 'ApprovalRejected', cause: `Rejected by ${rejecter?.voter}${rejecter?.comment ? `: ${rejecter.comment}` : ''}` };
}
