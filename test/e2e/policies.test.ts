import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, approvalLink, as, imageFor, mailbox } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
let ci: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack();
  ci = api(stack);
  admin = api(stack, stack.adminToken);
});
afterAll(() => stack?.close());

const policy = (p: Record<string, unknown>) => admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', p);
const waiting = async (body: Record<string, unknown>) => {
  const created = await ci.startRelease({ app: 'hello-web', ...body });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const id = String(created.json.id);
  return { id, release: await ci.waitForStatus(id, ['waiting_for_approval']) };
};

describe('group rules, the pending list and deciding with a token', () => {
  it('needs 1 release manager AND 1 from security, says what is missing, and counts only eligible votes', async () => {
    expect((await admin.call('PUT', '/v1/directory/groups/security', { members: ['sam@example.com'] })).status).toBe(200);
    const grant = await admin.call('POST', '/v1/directory/grants', { subject: { group: 'security' }, role: 'image-approver', app: 'hello-web', environment: 'prod' });
    expect(grant.status).toBe(201);
    expect((await policy({ required: 2, rules: [{ group: 'release-managers', min: 1 }, { group: 'security', min: 1 }] })).status).toBe(200);

    const { id } = await waiting({ image: imageFor('groups') });
    const alice = await as(stack, 'alice@example.com');
    const sam = await as(stack, 'sam@example.com');

    const pending = await alice.call('GET', '/v1/approvals?status=pending');
    const mine = (pending.json.approvals as Array<{ releaseId: string; id: string; summary: string; ageSeconds: number }>).find((a) => a.releaseId === id);
    expect(mine).toMatchObject({ summary: 'needs 2 more approvals, including 1 more from release-managers and 1 more from security', ageSeconds: expect.any(Number) });

    const first = await alice.call('POST', `/v1/approvals/${mine!.id}/decision`, { decision: 'approve', comment: 'lgtm' });
    expect(first.json).toMatchObject({ status: 'pending', summary: 'needs 1 more from security' });
    // Alice no longer sees it; an outsider cannot decide it.
    expect(((await alice.call('GET', '/v1/approvals')).json.approvals as unknown[]).length).toBe(0);
    const erin = await as(stack, 'erin@example.com');
    expect((await erin.call('POST', `/v1/approvals/${mine!.id}/decision`, { decision: 'approve' })).json).toMatchObject({ status: 403, type: expect.stringMatching(/not-an-approver$/) });

    const second = await sam.call('POST', `/v1/approvals/${mine!.id}/decision`, { decision: 'approve' });
    expect(second.json).toMatchObject({ status: 'approved', closedAs: 'approved' });
    expect((await ci.waitForStatus(id, ['succeeded', 'failed'])).status).toBe('succeeded');
  });
});

describe('nothing stale slips through (B5)', () => {
  it('a policy change voids pending requests with the reason', async () => {
    await policy({ required: 1 });
    const { id } = await waiting({ image: imageFor('voided') });
    const changed = await policy({ required: 1, timeoutSeconds: 7200 });
    expect(changed.json.voidedReleases).toContain(id);
    const done = await ci.waitForStatus(id, ['cancelled']);
    expect(done.approvals[0]).toMatchObject({ status: 'cancelled' });
    expect(done.reason).toContain('approval policy of hello-web/prod changed');
  });

  it('a newer release supersedes the older pending request, and its link stops working', async () => {
    await policy({ required: 1 });
    const older = await waiting({ image: imageFor('older') });
    const [email] = await mailbox(stack).waitFor((e) => e.destination.to.includes('bob@example.com') && e.subject.includes(imageFor('older').split('@')[1]!.slice(0, 19)), 1);
    const newer = await waiting({ image: imageFor('newer') });
    const superseded = await ci.waitForStatus(older.id, ['superseded']);
    expect(superseded.approvals[0]).toMatchObject({ status: 'superseded', summary: expect.stringContaining(newer.id) });
    const late = await fetch(approvalLink(email!), { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
    expect(late.status).toBe(409);
    expect((await ci.call('POST', `/v1/releases/${newer.id}/cancel`)).status).toBe(202);
  });
});

describe('named approvers (S5)', () => {
  it('emails only the named approvers and lets only them decide', async () => {
    await policy({ required: 1 });
    const image = imageFor('named');
    const { id, release } = await waiting({ image, approvers: ['bob@example.com'], labels: ['hotfix'] });
    expect(release.approvals[0]?.approvers).toEqual(['bob@example.com']);
    const emails = await mailbox(stack).waitFor((e) => e.subject.includes(image.split('@')[1]!.slice(0, 19)), 1);
    expect(emails.flatMap((e) => e.destination.to)).toEqual(['bob@example.com']);
    const alice = await as(stack, 'alice@example.com');
    expect((await alice.call('POST', `/v1/approvals/${id}.prod/decision`, { decision: 'approve' })).status).toBe(403);
    await ci.call('POST', `/v1/releases/${id}/cancel`);
  });

  it('refuses approvers who are not eligible or cannot satisfy the policy', async () => {
    const outsider = await ci.startRelease({ app: 'hello-web', image: imageFor('named-bad'), approvers: ['erin@example.com'] });
    expect(outsider.json).toMatchObject({ status: 403, type: expect.stringMatching(/not-an-approver$/) });
    await policy({ required: 2 });
    const tooFew = await ci.startRelease({ app: 'hello-web', image: imageFor('named-few'), approvers: ['bob@example.com'] });
    expect(tooFew.json).toMatchObject({ status: 422, type: expect.stringMatching(/unsatisfiable-approvers$/) });
    await policy({ required: 1 });
  });
});

describe('idempotent CI API (B11)', () => {
  it('answers a retried request with the first release and starts nothing new; another body with the same key is 422', async () => {
    const body = { app: 'hello-web', image: imageFor('idem') };
    const headers = { 'idempotency-key': 'build-4711' };
    const [a, b] = await Promise.all([ci.call('POST', '/v1/releases', body, headers), ci.call('POST', '/v1/releases', body, headers)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.json.id).toBe(b.json.id);
    const again = await ci.call('POST', '/v1/releases', body, headers);
    expect(again.json.id).toBe(a.json.id);
    const other = await ci.call('POST', '/v1/releases', { ...body, comment: 'different' }, headers);
    expect(other.json).toMatchObject({ status: 422, type: expect.stringMatching(/idempotency-key-reused$/) });
    await ci.waitForStatus(String(a.json.id), ['waiting_for_approval']);
    await ci.call('POST', `/v1/releases/${a.json.id}/cancel`);
  });
});
