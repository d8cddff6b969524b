import { describe, expect, it } from 'vitest';
import type { AuditAction, AuditEvent } from '../../functions/domain/audit';
import { outboundEventOf, withRelease } from '../../functions/domain/outbound-mapping';
import type { Release } from '../../functions/domain/release';
import { approvalRequest } from '../support/requests';

const BASE = 'https://gatekeeper.example.com';
const RELEASE = '6f1c0000-0000-4000-8000-000000000000';
const audit = (action: AuditAction, subject: string, detail?: Record<string, unknown>): AuditEvent => ({
  id: 'evt-1', app: 'hello-web', actor: 'system:release-state-machine', action, subject, at: '2026-12-02T12:00:00.000Z', ...(detail ? { detail } : {}),
});

describe('outboundEventOf', () => {
  it.each<[AuditAction, string, string | undefined]>([
    ['release.requested', `release/${RELEASE}`, 'release.started'],
    ['release.break-glass', `release/${RELEASE}`, 'break_glass.used'],
    ['approval.requested', `release/${RELEASE}/approval/prod`, 'approval.requested'],
    ['approval.decided', `release/${RELEASE}/approval/prod`, 'approval.decided'],
    ['deployment.succeeded', `release/${RELEASE}/staging`, 'stage.deployed'],
    ['check.failed', `release/${RELEASE}/staging/checks/smoke-test`, 'check.failed'],
    ['release.finished', `release/${RELEASE}`, 'release.finished'],
    ['release.rollback', `release/${RELEASE}`, 'rollback.started'],
    ['deployment.rolled-back', `release/${RELEASE}/prod`, 'rollback.succeeded'],
    ['deployment.rollback-failed', `release/${RELEASE}/prod`, 'rollback.failed'],
    ['environment.drift_detected', 'app/hello-web/env/prod', 'drift.detected'],
    ['release.cancelled', `release/${RELEASE}/approval/prod`, 'approval.decided'],
    ['release.superseded', `release/${RELEASE}/approval/prod`, 'approval.decided'],
    ['release.cancelled', `release/${RELEASE}`, undefined],
    ['approval.vote', `release/${RELEASE}/approval/prod`, undefined],
    ['check.passed', `release/${RELEASE}/staging/checks/smoke-test`, undefined],
    ['deployment.started', `release/${RELEASE}/prod`, undefined],
    ['webhook.subscribed', 'app/hello-web/webhook/wh_1', undefined],
    ['token.created', 'token/tok_1', undefined],
  ])('%s on %s is %s', (action, subject, type) => {
    expect(outboundEventOf(audit(action, subject), BASE)?.type).toBe(type);
  });

  it('keeps the audit event\'s id, time and actor, and links to the dashboard page of its subject, never a personal link', () => {
    expect(outboundEventOf(audit('approval.requested', `release/${RELEASE}/approval/prod`), BASE)).toEqual({
      id: 'evt-1', type: 'approval.requested', at: '2026-12-02T12:00:00.000Z', actor: 'system:release-state-machine',
      subject: { app: 'hello-web', releaseId: RELEASE, environment: 'prod', dashboardUrl: `${BASE}/approvals#${RELEASE}-prod` },
    });
    expect(outboundEventOf(audit('release.finished', `release/${RELEASE}`, { status: 'failed', reason: 'staging: failed' }), BASE)?.subject).toEqual({
      app: 'hello-web', releaseId: RELEASE, status: 'failed', reason: 'staging: failed', dashboardUrl: `${BASE}/releases/${RELEASE}`,
    });
  });

  it('says which check failed and what it saw, and what a drifted environment runs', () => {
    const check = outboundEventOf(audit('check.failed', `release/${RELEASE}/staging/checks/smoke-test`, { phase: 'post', kind: 'job', summary: 'exit 1' }), BASE);
    expect(check?.subject).toMatchObject({ environment: 'staging', check: { name: 'smoke-test', kind: 'job', phase: 'post', detail: 'exit 1' } });
    const drift = outboundEventOf(audit('environment.drift_detected', 'app/hello-web/env/prod', { runs: { image: 'repo@sha256:1' }, expected: { image: 'repo@sha256:2' } }), BASE);
    expect(drift?.subject).toEqual({ app: 'hello-web', environment: 'prod', image: 'repo@sha256:1', reason: 'runs repo@sha256:1, Gatekeeper deployed repo@sha256:2', dashboardUrl: `${BASE}/apps/hello-web/envs/prod` });
  });
});

describe('withRelease', () => {
  const release: Release = {
    id: RELEASE, app: 'hello-web', image: 'repo@sha256:a', digest: 'sha256:a', commit: 'abc1234', author: 'erin@example.com', labels: [], comment: 'ship it',
    requestedBy: 'ci:pipeline', status: 'running', pipeline: [{ name: 'staging', after: [] }, { name: 'prod', after: ['staging'] }],
    createdAt: '2026-12-02T11:00:00.000Z', updatedAt: '2026-12-02T11:00:00.000Z',
    stages: { prod: { environment: 'prod', status: 'waiting_for_approval', image: 'repo@sha256:a', startedAt: '2026-12-02T11:00:00.000Z' } },
  };

  it('adds what is released, by whom, the votes so far and what the policy needs', () => {
    const request = approvalRequest({ releaseId: RELEASE, environment: 'prod', votes: [{ voter: 'alice@example.com', decision: 'approve', at: '2026-12-02T11:30:00.000Z' }] });
    const event = withRelease(outboundEventOf(audit('approval.requested', `release/${RELEASE}/approval/prod`), BASE)!, release, [request]);
    expect(event.subject).toMatchObject({
      image: 'repo@sha256:a', commit: 'abc1234', author: 'erin@example.com', requestedBy: 'ci:pipeline', comment: 'ship it',
      status: request.status, votes: request.votes, required: request.policy.required,
    });
  });

  it('keeps the status the audit event recorded over the record\'s', () => {
    const event = withRelease(outboundEventOf(audit('release.finished', `release/${RELEASE}`, { status: 'rejected' }), BASE)!, { ...release, status: 'succeeded' }, []);
    expect(event.subject.status).toBe('rejected');
    expect(event.subject).not.toHaveProperty('votes');
  });
});
