import { evaluateRequest, type ApprovalRequest } from '../domain/approval';
import type { Directory } from '../domain/authorization';
import { withCurrentEligibility } from '../domain/eligibility';
import type { ReleaseView } from '../domain/ports';

/**
 * An approval request as the API shows it: who may vote, who did, and what is
 * still missing, judged (like a vote) against today's directory when given.
 */
export function approvalResponse(stored: ApprovalRequest, now: Date, directory?: Directory) {
  const request = directory && stored.status === 'pending' ? withCurrentEligibility(stored, directory) : stored;
  const evaluation = evaluateRequest(request);
  return {
    id: request.id,
    gate: request.gate,
    releaseId: request.releaseId,
    app: request.app,
    environment: request.environment,
    image: request.image,
    commit: request.commit,
    author: request.author,
    requestedBy: request.requestedBy,
    labels: request.labels,
    comment: request.comment,
    status: request.status,
    ...(request.gate === 'config' ? { configHash: request.configHash, configBaseVersion: request.configBaseVersion, configDiff: request.configDiff } : {}),
    policy: request.policy,
    approvers: request.notified,
    votes: request.votes,
    approvals: evaluation.approvals,
    missing: evaluation.missing,
    summary: request.status === 'pending' ? evaluation.summary : request.closedReason ?? request.status,
    requestedAt: request.createdAt,
    ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(request.createdAt)) / 1000)),
    expiresAt: request.expiresAt,
    decidedAt: request.decidedAt,
  };
}

/** How a person finds an execution: the AWS console in AWS, the local history endpoint locally. */
export type ExecutionUrl = (executionArn: string, releaseId: string) => string;

/** The public JSON shape of a release (`GET /v1/releases/{id}`). */
export function releaseResponse({ release, approvals }: ReleaseView, now: Date, directory?: Directory, executionUrl?: ExecutionUrl) {
  return {
    id: release.id,
    app: release.app,
    status: release.status,
    image: release.image,
    digest: release.digest,
    commit: release.commit,
    author: release.author,
    labels: release.labels,
    comment: release.comment,
    requestedBy: release.requestedBy,
    breakGlass: release.breakGlass,
    createdAt: release.createdAt,
    updatedAt: release.updatedAt,
    finishedAt: release.finishedAt,
    reason: release.reason,
    type: release.type ?? 'release',
    rollbackOf: release.rollbackOf,
    committedAt: release.committedAt,
    approvedBy: release.approvedBy,
    stages: release.pipeline.map(({ name, after }) => stageResponse(release, name, after, approvals, executionUrl)),
    approvals: approvals.map((request) => approvalResponse(request, now, directory)),
  };
}

/** One environment of the release, in pipeline order: `pending` until it starts. */
function stageResponse(release: ReleaseView['release'], environment: string, after: string[], approvals: ApprovalRequest[], executionUrl?: ExecutionUrl) {
  const stage = release.stages[environment];
  const request = approvals.find((a) => a.environment === environment && a.gate === 'image');
  return {
    environment,
    after,
    ...(stage ?? {}),
    status: stage?.status ?? 'pending',
    ...(stage?.executionArn && executionUrl ? { executionUrl: executionUrl(stage.executionArn, release.id) } : {}),
    ...(request ? { approval: { status: request.status, votes: request.votes, summary: request.status === 'pending' ? evaluateRequest(request).summary : (request.closedReason ?? request.status) } } : {}),
  };
}
