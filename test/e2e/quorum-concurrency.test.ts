import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, as, imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';

let stack: TestStack;

beforeAll(async () => (stack = await startTestStack()));
afterAll(() => stack?.close());

it('counts exactly 3 of 50 simultaneous votes from 5 approvers on a request that needs 3, and resumes once', async () => {
  const admin = api(stack, stack.adminToken);
  const approvers = ['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => `${p}@example.com`);
  await admin.call('PUT', '/v1/directory/groups/release-managers', { members: approvers });
  expect((await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { required: 3 })).status).toBe(200);
  const ci = api(stack);
  const id = String((await ci.startRelease({ app: 'hello-web', image: imageFor('quorum') })).json.id);
  await ci.waitForStatus(id, ['waiting_for_approval']);

  const clients = await Promise.all(approvers.map((a) => as(stack, a)));
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, i) => clients[i % 5]!.call('POST', `/v1/approvals/${id}.prod/decision`, { decision: 'approve' })),
  );
  const ok = responses.filter((r) => r.status === 200);
  expect(ok).toHaveLength(3);
  expect(responses.filter((r) => r.status === 409)).toHaveLength(47);
  expect(ok.filter((r) => r.json.closedAs === 'approved')).toHaveLength(1);

  const done = await ci.waitForStatus(id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
  expect(done.approvals[0]?.votes).toHaveLength(3);
  expect(new Set(done.approvals[0]?.votes.map((v) => v.voter)).size).toBe(3);
  const events = await auditEvents(stack, id);
  expect(events.filter((e) => e.action === 'approval.vote')).toHaveLength(3);
  expect(events.filter((e) => e.action === 'approval.decided')).toHaveLength(1);
});
