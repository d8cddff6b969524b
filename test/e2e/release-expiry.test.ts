import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, approvalLink, imageFor, mailbox } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';

let stack: TestStack;

// An approval timeout of 2 s, so the expiry path runs in seconds.
beforeAll(async () => (stack = await startTestStack({ approvalTimeoutSeconds: 2 })));
afterAll(() => stack?.close());

it('expires the release when nobody decides within the timeout, and the link stops working', async () => {
  const ci = api(stack);
  const image = imageFor('expiry');
  const id = String((await ci.startRelease({ app: 'hello-web', image })).json.id);
  const [email] = await mailbox(stack).waitFor((e) => e.destination.to.includes('alice@example.com') && e.subject.includes(image.split('@')[1]?.slice(0, 19) ?? ''), 1);

  const expired = await ci.waitForStatus(id, ['expired', 'succeeded', 'failed'], 10_000);
  expect(expired.status).toBe('expired');
  expect(expired.approvals[0]?.status).toBe('expired');
  expect((await auditEvents(stack, id)).map((e) => e.action)).toContain('release.finished');

  const late = await fetch(approvalLink(email!), { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
  expect(late.status).toBe(410);
  expect((await ci.release(id)).approvals[0]?.votes).toEqual([]);
  // The late attempt is refused and audited; opening the link only shows that it expired.
  expect(await auditEvents(stack, id)).toContainEqual(expect.objectContaining({ action: 'approval.refused', actor: 'alice@example.com' }));
  expect((await fetch(approvalLink(email!))).status).toBe(410);
});
