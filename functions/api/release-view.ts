import { missingApprovals } from '../domain/approval';
import type { ReleaseView } from '../domain/ports';

/** The public JSON shape of a release (`GET /v1/releases/{id}`). */
export function releaseResponse({ release, approvals }: ReleaseView) {
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
    createdAt: release.createdAt,
    updatedAt: release.updatedAt,
    finishedAt: release.finishedAt,
    reason: release.reason,
    executionArn: release.executionArn,
    executionName: release.executionName,
    stages: [release.stagingEnvironment, release.productionEnvironment]
      .map((env) => release.stages[env])
      .filter((stage) => stage !== undefined),
    approvals: approvals.map((request) => ({
      environment: request.environment,
      status: request.status,
      required: request.required,
      missing: missingApprovals(request),
      approvers: request.approvers,
      votes: request.votes,
      requestedAt: request.createdAt,
      expiresAt: request.expiresAt,
      decidedAt: request.decidedAt,
    })),
  };
}
