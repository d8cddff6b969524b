import { evaluateRequest, type ApprovalRequest } from '../../domain/approval';
import { buildPipeline } from '../../domain/pipeline';
import type { ReleaseView } from '../../domain/ports';
import { isTerminal, type Release, type Stage } from '../../domain/release';

/** One environment of a release as the pipeline graph and the stage details show it. */
export interface StageModel {
  environment: string;
  after: string[];
  /** The stage's status, `pending` until it starts. */
  status: string;
  stage?: Stage;
  /** The environment's image approval request, if one was opened. */
  request?: ApprovalRequest;
  /** "needs 1 more from release-managers", or why it closed (as `GET /v1/releases/{id}` says). */
  approvalSummary?: string;
  executionUrl?: string;
}

export interface ReleaseModel {
  release: Release;
  stages: StageModel[];
  /** Environment names column by column: `buildPipeline(...).waves`. */
  waves: string[][];
  finished: boolean;
}

/** Where a person sees an execution's history: the AWS console, or the local history endpoint. */
export type ExecutionUrl = (executionArn: string, releaseId: string) => string;

/** The release laid out for the page: stages in pipeline order, grouped into waves. */
export function releaseModel({ release, approvals }: ReleaseView, executionUrl: ExecutionUrl): ReleaseModel {
  const stages = release.pipeline.map(({ name, after }): StageModel => {
    const stage = release.stages[name];
    const request = approvals.find((a) => a.environment === name && a.gate === 'image');
    return {
      environment: name,
      after,
      status: stage?.status ?? 'pending',
      ...(stage ? { stage } : {}),
      ...(request ? { request, approvalSummary: request.status === 'pending' ? evaluateRequest(request).summary : (request.closedReason ?? request.status) } : {}),
      ...(stage?.executionArn ? { executionUrl: executionUrl(stage.executionArn, release.id) } : {}),
    };
  });
  const waves = buildPipeline(release.pipeline).waves.map((wave) => [...wave]);
  return { release, stages, waves, finished: isTerminal(release.status) };
}
