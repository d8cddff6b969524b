import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, linkFor } from '../../support/clients';
import { startTestStack, type TestStack } from '../../support/stack';
import { auditEvents } from '../../support/table';
import { expectAuditIntact, nextImage, releaseAwaitingApproval, vote } from './helpers';

// Issue 8, one fault at a time, injected into the emulators through their documented switches.
let stack: TestStack;
let ci: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  ci = api(stack);
  admin = api(stack, stack.adminToken);
});
afterAll(() => stack?.close());

describe('a finished release stays finished (defect 1: SES down)', () => {
  it('ends failed with its request closed when no email can be sent; a vote is refused and the older pending release is not superseded', async () => {
    const older = await releaseAwaitingApproval(stack);
    stack.mailbox.setFaults({ refuse: true });
    let failed: Awaited<ReturnType<typeof ci.waitForStatus>>;
    let newer: string;
    try {
      const created = await ci.startRelease({ app: 'hello-web', image: nextImage(), author: 'carol@example.com' });
      newer = String(created.json.id);
      failed = await ci.waitForStatus(newer, ['failed', 'succeeded'], 60_000);
    } finally {
      stack.mailbox.clearFaults();
    }
    expect(failed.status).toBe('failed');
    expect(failed.reason).toMatch(/MailUnavailable: no approval email could be sent/);
    expect(failed.approvals[0]?.status).toBe('cancelled');
    // Nothing lists it, and no vote (even with a forged, validly signed link) revives it.
    const pending = (await (await as(stack, 'alice@example.com')).call('GET', '/v1/approvals?status=pending')).json;
    expect(JSON.stringify(pending)).not.toContain(newer);
    // The older release was never superseded: its approver can still approve it.
    expect((await ci.release(older.id)).status).toBe('waiting_for_approval');
    expect((await vote(older.link)).status).toBe(200);
    expect((await ci.waitForStatus(older.id, ['succeeded', 'failed'], 30_000)).status).toBe('succeeded');
    expect((await ci.release(newer)).status).toBe('failed');
    await expectAuditIntact(stack);
  }, 90_000);

  it('heals when SES refuses only briefly: the task is retried and the approvers get their links', async () => {
    stack.mailbox.setFaults({ refuse: 2 });
    const { id, link } = await releaseAwaitingApproval(stack);
    expect((await vote(link)).status).toBe(200);
    expect((await ci.waitForStatus(id, ['succeeded', 'failed'], 30_000)).status).toBe('succeeded');
  }, 60_000);

  it('refuses a vote on a release that already ended (409) and writes nothing but the refusal', async () => {
    const { id, link } = await releaseAwaitingApproval(stack);
    expect((await ci.call('POST', `/v1/releases/${id}/cancel`)).status).toBe(202);
    await ci.waitForStatus(id, ['cancelled']);
    const before = (await auditEvents(stack, id)).length;
    const refused = await vote(link);
    expect(refused.status).toBe(409);
    const after = await auditEvents(stack, id);
    expect(after.slice(before).map((e) => e.action)).toEqual(['approval.refused']);
    expect((await ci.release(id)).status).toBe('cancelled');
  });
});

describe('a committed decision is never lost (defect 2: Step Functions unreachable for the resume)', () => {
  it('answers 200, keeps the decision in the outbox, and the reconciler delivers it', async () => {
    const { id, image, link } = await releaseAwaitingApproval(stack);
    stack.sfn.injectFaults({ operations: ['SendTaskSuccess', 'SendTaskFailure'], count: 1000, error: 'ServiceUnavailable' });
    try {
      const response = await vote(link);
      expect(response.status).toBe(200);
      // A retry of the same click is the link reused, not a server error.
      expect((await vote(link)).status).toBe(409);
      // Approved in the record, still waiting in Step Functions: nothing was deployed.
      expect((await ci.release(id)).stages.find((s) => s.environment === 'prod')).toMatchObject({ status: 'running', approvedBy: ['alice@example.com'] });
      expect((await ci.release(id)).stages.find((s) => s.environment === 'prod')?.deployStartedAt).toBeUndefined();
      const stuck = await stack.reconcile();
      expect(stuck.delivered).toBe(0);
      expect(stuck.errors).toBeGreaterThan(0);
    } finally {
      stack.sfn.clearFaults();
    }
    const healed = await stack.reconcile();
    expect(healed.delivered).toBe(1);
    const done = await ci.waitForStatus(id, ['succeeded', 'failed', 'expired'], 30_000);
    expect(done.status).toBe('succeeded');
    expect(done.image).toBe(image);
    expect((await stack.reconcile()).delivered).toBe(0);
    await expectAuditIntact(stack);
  }, 60_000);

  it('supersedes through the outbox too: the older execution ends superseded once Step Functions answers', async () => {
    const older = await releaseAwaitingApproval(stack);
    stack.sfn.injectFaults({ operations: ['SendTaskFailure'], count: 1000, error: 'ThrottlingException' });
    try {
      await releaseAwaitingApproval(stack);
      expect((await ci.release(older.id)).approvals[0]?.status).toBe('superseded');
    } finally {
      stack.sfn.clearFaults();
    }
    await stack.reconcile();
    expect((await ci.waitForStatus(older.id, ['superseded'], 30_000)).status).toBe('superseded');
  }, 60_000);
});

describe('eligibility is judged at vote time (defect 6)', () => {
  it('refuses a removed approver with 403 not-an-approver (audited) and says when the request can no longer pass', async () => {
    const { id, link } = await releaseAwaitingApproval(stack);
    const bobLink = await linkFor(stack, id, 'bob@example.com');
    const groups = (await admin.call('GET', '/v1/directory/groups')).json as { groups: Record<string, string[]> };
    const members = groups.groups['release-managers'] ?? [];
    expect((await admin.call('PUT', '/v1/directory/groups/release-managers', { members: members.filter((m) => m !== 'alice@example.com') })).status).toBe(200);
    try {
      const refused = await vote(link);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { type: string }).type).toMatch(/not-an-approver$/);
      expect((await auditEvents(stack, id)).map((e) => e.action)).toContain('approval.refused');
      expect((await ci.release(id)).status).toBe('waiting_for_approval');
      // With bob gone too, nobody left can approve: the request says so.
      await admin.call('PUT', '/v1/directory/groups/release-managers', { members: members.filter((m) => !['alice@example.com', 'bob@example.com'].includes(m)) });
      expect((await ci.release(id)).approvals[0]?.summary).toMatch(/cannot be met any more/);
    } finally {
      await admin.call('PUT', '/v1/directory/groups/release-managers', { members });
    }
    expect((await vote(bobLink)).status).toBe(200);
    expect((await ci.waitForStatus(id, ['succeeded', 'failed'], 30_000)).status).toBe('succeeded');
  }, 60_000);
});

describe('idempotency keeps no response for a failed start (defect 10)', () => {
  it('answers 503 to the first call and starts afresh on the retry with the same key', async () => {
    const body = { app: 'hello-web', image: nextImage() };
    const key = { 'idempotency-key': `retry-${Date.now()}` };
    stack.sfn.injectFaults({ operations: ['StartExecution'], count: 1000, error: 'ServiceUnavailable' });
    let first: Awaited<ReturnType<typeof ci.call>>;
    try {
      first = await ci.call('POST', '/v1/releases', body, key);
    } finally {
      stack.sfn.clearFaults();
    }
    expect(first.status).toBe(503);
    const retried = await ci.call('POST', '/v1/releases', body, key);
    expect(retried.status).toBe(201);
    expect(retried.json.id).not.toBe(undefined);
    expect(retried.json.status).toBe('running');
    const replayed = await ci.call('POST', '/v1/releases', body, key);
    expect(replayed.json.id).toBe(retried.json.id);
  });
});
