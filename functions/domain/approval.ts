import type { CheckResult } from './checks';
import {
  LinkExpiredError,
  LinkUsedError,
  NotAnApproverError,
  RequestClosedError,
  SelfApprovalError,
} from './errors';
import type { Drift } from './catalog';
import { evaluate, unsatisfiable, type ApprovalPolicy, type Evaluation, type Voter } from './policy';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled' | 'superseded';
export type Decision = 'approve' | 'reject';
/** Image approvals and configuration approvals have separate approvers (S2). */
export type ApprovalGate = 'image' | 'config';

export interface Vote {
  voter: string;
  decision: Decision;
  comment?: string;
  at: string;
}

/**
 * A release's request for approval into one environment. It snapshots what is
 * being approved (the digest, B2), the policy and who was eligible with their
 * groups, so deciding a vote needs nothing but this item: no directory read,
 * and a later policy or group change cannot alter a request silently (it voids
 * it instead).
 */
export interface ApprovalRequest {
  /** `<releaseId>.<environment>`. */
  id: string;
  gate: ApprovalGate;
  releaseId: string;
  app: string;
  environment: string;
  image: string;
  commit?: string;
  author?: string;
  requestedBy: string;
  labels: string[];
  comment?: string;
  /** What the environment ran when approval was requested, read from the cluster. */
  currentImage?: string;
  /** Set when that differed from what Gatekeeper recorded (changed out of band). */
  drift?: Drift;
  /** How the environments this one follows fared in this release: their checks' evidence, for the approvers. */
  upstream?: UpstreamEvidence[];
  /** Configuration requests: the proposed effective config's hash and its diff against the published one. */
  configHash?: string;
  configDiff?: string;
  /** Configuration requests: approving also redeploys the environment with it (said on the page and in the email). */
  rolloutOnApprove?: boolean;
  /** The published version the proposed configuration was edited from. */
  configBaseVersion?: number;
  policy: Pick<ApprovalPolicy, 'required' | 'rules'>;
  policyVersion: number;
  /** Who may vote (approver role, minus the author and the requester) and their groups. */
  eligible: Voter[];
  /** Who was asked (emailed): the requester's named approvers, or everyone eligible. */
  notified: string[];
  votes: Vote[];
  status: ApprovalStatus;
  taskToken: string;
  createdAt: string;
  expiresAt: string;
  decidedAt?: string;
  /** Why it was closed without a decision (superseded, policy changed, cancelled). */
  closedReason?: string;
  /** Optimistic-concurrency counter: every write is conditional on it. */
  version: number;
}

export const approvalId = (releaseId: string, environment: string) => `${releaseId}.${environment}`;

export function parseApprovalId(id: string): { releaseId: string; environment: string } | undefined {
  const dot = id.lastIndexOf('.');
  if (dot <= 0 || dot === id.length - 1) return undefined;
  return { releaseId: id.slice(0, dot), environment: id.slice(dot + 1) };
}

export const normaliseIdentity = (id: string) => id.trim().toLowerCase();

/** Whoever wrote a release and whoever asked for it never count as its approvers. */
export function excludedVoters(request: Pick<ApprovalRequest, 'author' | 'requestedBy'>): string[] {
  return [request.author, request.requestedBy].filter((x): x is string => Boolean(x)).map(normaliseIdentity);
}

export function isSelfApproval(request: Pick<ApprovalRequest, 'author' | 'requestedBy'>, voter: string): boolean {
  return excludedVoters(request).includes(normaliseIdentity(voter));
}

/** The request's standing; a pending request that can no longer pass (approvers removed since) says so. */
export function evaluateRequest(request: ApprovalRequest): Evaluation {
  const evaluation = evaluate(request.policy, request.eligible, request.votes, excludedVoters(request));
  if (evaluation.status !== 'pending') return evaluation;
  const never = unsatisfiable(request.policy, request.eligible, excludedVoters(request));
  return never ? { ...evaluation, summary: `${evaluation.summary}; cannot be met any more: ${never}` } : evaluation;
}

export interface VoteResult {
  request: ApprovalRequest;
  /** The vote as recorded (voter normalised). */
  vote: Vote;
  evaluation: Evaluation;
  /** Set when this vote closed the request. */
  closedAs?: 'approved' | 'rejected';
}

/**
 * Applies one vote. Pure: the caller persists the result conditionally on
 * `request.version`, so concurrent votes cannot both win. The order of checks
 * decides which refusal a person sees: self-approval first (it is audited as
 * such), then eligibility, then single use, then whether the request is open.
 */
export function castVote(request: ApprovalRequest, vote: Vote, now: Date): VoteResult {
  const voter = normaliseIdentity(vote.voter);
  if (isSelfApproval(request, voter)) {
    throw new SelfApprovalError(`${voter} requested or authored release ${request.releaseId} and cannot approve it`);
  }
  if (!request.eligible.some((e) => e.id === voter)) {
    throw new NotAnApproverError(`${voter} is not ${request.gate === 'image' ? 'an image' : 'a config'} approver of ${request.app}/${request.environment}`);
  }
  if (request.votes.some((v) => v.voter === voter)) {
    throw new LinkUsedError(`${voter} already voted on release ${request.releaseId}; a link works once`);
  }
  if (request.status === 'expired' || (request.status === 'pending' && now.getTime() >= Date.parse(request.expiresAt))) {
    throw new LinkExpiredError(`the approval request of release ${request.releaseId} expired at ${request.expiresAt}`);
  }
  if (request.status !== 'pending') {
    const why = request.closedReason ? ` (${request.closedReason})` : '';
    throw new RequestClosedError(`the approval of release ${request.releaseId} for ${request.environment} is already ${request.status}${why}`);
  }
  const recorded = { ...vote, voter };
  const votes = [...request.votes, recorded];
  const evaluation = evaluate(request.policy, request.eligible, votes, excludedVoters(request));
  const closedAs = evaluation.status === 'pending' ? undefined : evaluation.status;
  const next: ApprovalRequest = {
    ...request,
    votes,
    status: closedAs ?? 'pending',
    version: request.version + 1,
    ...(closedAs ? { decidedAt: vote.at } : {}),
  };
  return { request: next, vote: recorded, evaluation, ...(closedAs ? { closedAs } : {}) };
}

/** One earlier environment of the release as its approvers downstream see it: "staging checks passed: smoke (job): …". */
export interface UpstreamEvidence {
  environment: string;
  checks: Array<Pick<CheckResult, 'name' | 'kind' | 'phase' | 'passed' | 'summary'>>;
}
