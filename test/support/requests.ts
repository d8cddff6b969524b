import type { ApprovalRequest } from '../../functions/domain/approval';
import { DEFAULT_POLICY } from '../../functions/domain/policy';

/** An open image-approval request for tests; override what the test is about. */
export function approvalRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const releaseId = overrides.releaseId ?? 'r1';
  return {
    id: `${releaseId}.prod`,
    gate: 'image',
    releaseId,
    app: 'hello-web',
    environment: 'prod',
    image: `repo@sha256:${'a'.repeat(64)}`,
    author: 'carol@example.com',
    requestedBy: 'ci:pipeline',
    labels: [],
    policy: { required: 1, rules: DEFAULT_POLICY.rules },
    policyVersion: 0,
    eligible: [
      { id: 'alice@example.com', groups: ['release-managers'] },
      { id: 'bob@example.com', groups: ['release-managers'] },
    ],
    notified: ['alice@example.com', 'bob@example.com'],
    votes: [],
    status: 'pending',
    taskToken: 't',
    createdAt: '2026-11-25T09:00:00.000Z',
    expiresAt: '2026-11-26T11:00:00.000Z',
    version: 0,
    ...overrides,
  };
}
