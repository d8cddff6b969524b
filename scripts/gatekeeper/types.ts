/**
 * The parts of the API's answers the CLI reads. The OpenAPI document describes
 * these bodies in words (functions/api/openapi/routes.ts has no response
 * schemas for them), so the generated types say `unknown`; these are the
 * shapes functions/api/release-view.ts produces.
 */
export interface Vote {
  voter: string;
  decision: 'approve' | 'reject' | string;
  comment?: string;
  at?: string;
}

export interface Check {
  name: string;
  kind: string;
  phase: string;
  passed: boolean;
  summary?: string;
}

export interface Stage {
  environment: string;
  status: string;
  startedAt?: string;
  deployStartedAt?: string;
  rolledOutAt?: string;
  finishedAt?: string;
  detail?: string;
  checks?: Check[];
}

export interface Approval {
  id: string;
  releaseId: string;
  app: string;
  environment: string;
  image?: string;
  requestedBy?: string;
  status: string;
  /** The policy the request was opened under: `required` approvals in total. */
  policy?: { required: number };
  approvers?: string[];
  votes?: Vote[];
  /** Approving votes that count toward the policy so far. */
  approvals?: number;
  summary?: string;
  ageSeconds?: number;
}

export interface Release {
  id: string;
  app: string;
  status: string;
  image: string;
  reason?: string;
  createdAt?: string;
  finishedAt?: string;
  stages: Stage[];
  approvals: Approval[];
}
