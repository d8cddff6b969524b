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

/** The public JSON shape of a release (`GET /v1/releases/{id}`). */
export function releaseResponse({ release, approvals }: ReleaseView, now: Date, directory?: Directory) {
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
    executionArn: release.executionArn,
    executionName: release.executionName,
    type: release.type ?? 'release',
    rollbackOf: release.rollbackOf,
    committedAt: release.committedAt,
    approvedBy: release.approvedBy,
    stages: [...new Set([release.stagingEnvironment, release.productionEnvironment])]
      .map((env) => release.stages[env])
      .filter((stage) => stage !== undefined),
    approvals: approvals.map((request) => approvalResponse(request, now, directory)),
  };
}
