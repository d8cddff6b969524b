import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, approvalLink, imageFor, mailbox, runningImage, type StoredEmail } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';

let stack: TestStack;
let ci: ReturnType<typeof api>;
let mail: ReturnType<typeof mailbox>;
let nextImage = Date.now();

beforeAll(async () => {
  stack = await startTestStack();
  ci = api(stack);
  mail = mailbox(stack);
});
afterAll(() => stack?.close());

const linkFor = (emails: StoredEmail[], approver: string) => {
  const email = emails.find((e) => e.destination.to.includes(approver));
  if (!email) throw new Error(`no email to ${approver}`);
  return approvalLink(email);
};

/** Starts a release and waits until its approvers have their emails. */
async function releaseAwaitingApproval(extra: Record<string, unknown> = {}) {
  const image = imageFor(nextImage++);
  const created = await ci.startRelease({ app: 'hello-web', image, commit: 'abc1234', author: 'carol@example.com', labels: ['demo'], comment: 'ship it', ...extra });
  expect(created.status).toBe(201);
  const id = String(created.json.id);
  await ci.waitForStatus(id, ['waiting_for_approval']);
  const digest = image.split('@')[1] ?? '';
  const emails = await mail.waitFor((e) => e.subject.includes(digest.slice(0, 19)) && e.subject.includes('hello-web'), 1);
  return { id, image, emails };
}

const post = (link: string, form: Record<string, string>) =>
  fetch(link, { method: 'POST', body: new URLSearchParams(form), headers: { accept: 'application/json' } });

describe('release pipeline end to end', () => {
  it('deploys staging, emails each approver, and deploys the exact digest to prod once approved', async () => {
    const prodBefore = await runningImage(stack, 'prod');
    const { id, image, emails } = await releaseAwaitingApproval();
    expect(await runningImage(stack, 'staging')).toBe(image);
    expect(await runningImage(stack, 'prod')).toBe(prodBefore);

    const recipients = emails.flatMap((e) => e.destination.to).sort();
    expect(recipients).toEqual(['alice@example.com', 'bob@example.com']);

    const link = linkFor(emails, 'alice@example.com');
    for (let i = 0; i < 2; i++) {
      const page = await fetch(link);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(image);
      expect(html).toContain('abc1234');
      expect(html).toContain('carol@example.com');
      expect(html).toContain('ship it');
      expect(html).toContain(prodBefore);
      expect(html).toMatch(/<form method="post">/);
      expect(html).toContain('name="decision" value="approve"');
    }
    const untouched = await ci.release(id);
    expect(untouched.status).toBe('waiting_for_approval');
    expect(untouched.approvals[0]?.votes).toEqual([]);

    const decision = await post(link, { decision: 'approve', comment: 'looks good' });
    expect(decision.status).toBe(200);

    const done = await ci.waitForStatus(id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(await runningImage(stack, 'prod')).toBe(image);
    expect(done.stages.map((s) => [s.environment, s.status])).toEqual([
      ['staging', 'succeeded'],
      ['prod', 'succeeded'],
    ]);
    expect(done.approvals[0]?.votes).toMatchObject([{ voter: 'alice@example.com', decision: 'approve' }]);
    // One execution per environment, each named for what it promotes where.
    expect(done.stages.map((s) => s.executionArn)).toEqual([
      expect.stringMatching(/^arn:aws:states:.*:execution:gatekeeper-release:hello-web-staging-[0-9a-f]{12}-\d{8}T\d{6}Z-[0-9a-f]{8}$/),
      expect.stringMatching(/^arn:aws:states:.*:execution:gatekeeper-release:hello-web-prod-[0-9a-f]{12}-\d{8}T\d{6}Z-[0-9a-f]{8}$/),
    ]);

    const reused = await post(link, { decision: 'approve' });
    expect(reused.status).toBe(409);
    expect(reused.headers.get('content-type')).toContain('application/problem+json');
  });

  it('ends rejected when an approver rejects, leaving prod alone', async () => {
    const prodBefore = await runningImage(stack, 'prod');
    const { id, emails } = await releaseAwaitingApproval();
    const response = await post(linkFor(emails, 'bob@example.com'), { decision: 'reject', comment: 'not during the sale' });
    expect(response.status).toBe(200);
    const done = await ci.waitForStatus(id, ['rejected', 'succeeded', 'failed']);
    expect(done.status).toBe('rejected');
    expect(done.reason).toContain('not during the sale');
    expect(await runningImage(stack, 'prod')).toBe(prodBefore);
  });

  it('rolls prod back to the previous image when its rollout fails, and ends failed', async () => {
    const { id, image, emails } = await releaseAwaitingApproval();
    const prodBefore = await runningImage(stack, 'prod');
    stack.kubernetes.setFailingImages([image]);
    try {
      await post(linkFor(emails, 'alice@example.com'), { decision: 'approve' });
      const done = await ci.waitForStatus(id, ['failed', 'succeeded']);
      expect(done.status).toBe('failed');
      expect(done.stages.find((s) => s.environment === 'prod')).toMatchObject({ status: 'rolled_back', image, previousImage: prodBefore });
      expect(await runningImage(stack, 'prod')).toBe(prodBefore);
    } finally {
      stack.kubernetes.setFailingImages([]);
    }
  });

  it('refuses a decision on a tampered link with 403 and changes nothing', async () => {
    const { id, emails } = await releaseAwaitingApproval();
    const link = linkFor(emails, 'alice@example.com');
    const dot = link.lastIndexOf('.');
    const tampered = `${link.slice(0, dot + 1)}${link[dot + 1] === 'A' ? 'B' : 'A'}${link.slice(dot + 2)}`;
    expect((await fetch(tampered)).status).toBe(403);
    expect((await post(tampered, { decision: 'approve' })).status).toBe(403);
    expect((await ci.release(id)).approvals[0]?.votes).toEqual([]);
    await ci.call('POST', `/v1/releases/${id}/cancel`);
    expect((await ci.waitForStatus(id, ['cancelled'])).status).toBe('cancelled');
  });

  it('resumes exactly once when two approvers click 20 times at the same moment', async () => {
    const { id, emails } = await releaseAwaitingApproval();
    const links = [linkFor(emails, 'alice@example.com'), linkFor(emails, 'bob@example.com')];
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => post(links[i % 2] ?? '', { decision: 'approve' })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const done = await ci.waitForStatus(id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(done.approvals[0]?.votes).toHaveLength(1);
    const decided = (await auditEvents(stack, id)).filter((e) => e.action === 'approval.decided');
    expect(decided).toHaveLength(1);
  });
});
