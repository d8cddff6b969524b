import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../../functions/domain/approval-link';
import { api, approvalLink, imageFor, mailbox } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents, itemCount } from '../support/table';

let stack: TestStack;
let ci: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack();
  ci = api(stack);
});
afterAll(() => stack?.close());

describe('refused input writes nothing', () => {
  const valid = { app: 'hello-web', image: imageFor('guard'), commit: 'abc1234' };
  const cases: Array<[string, () => ReturnType<ReturnType<typeof api>['call']>, number, RegExp]> = [
    ['malformed JSON', () => ci.call('POST', '/v1/releases', '{"app": '), 400, /not valid JSON/],
    ['unknown app', () => ci.startRelease({ ...valid, app: 'nope' }), 404, /no app named "nope"/],
    ['unknown fields', () => ci.startRelease({ ...valid, force: true }), 400, /unknown field\(s\): force/],
    ['a bare tag', () => ci.startRelease({ ...valid, image: 'registry.example.com/hello-web:latest' }), 400, /not pinned by digest.*can be moved/],
    ['a body over 64 KiB', () => ci.startRelease({ ...valid, comment: 'x'.repeat(70_000) }), 413, /limited to 64 KiB/],
    ['no token', () => ci.call('POST', '/v1/releases', valid, { authorization: '' }), 401, /Authorization: Bearer/],
    ['a wrong token', () => ci.call('POST', '/v1/releases', valid, { authorization: 'Bearer gk_wrong' }), 401, /unknown, revoked or expired/],
  ];
  it.each(cases)('refuses %s with problem+json', async (_name, send, status, detail) => {
    const before = await itemCount(stack);
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.contentType).toContain('application/problem+json');
    expect(response.json).toMatchObject({ status, type: expect.stringMatching(/^https:\/\/gatekeeper\.dev\/problems\//), title: expect.any(String) });
    expect(String(response.json.detail)).toMatch(detail);
    expect(await itemCount(stack)).toBe(before);
  });

  it('answers health checks', async () => {
    expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
  });
});

describe('approval guards', () => {
  it('refuses the author with 403 and audits the attempt', async () => {
    const created = await ci.startRelease({ app: 'hello-web', image: imageFor('self'), author: 'alice@example.com' });
    const id = String(created.json.id);
    const waiting = await ci.waitForStatus(id, ['waiting_for_approval']);
    expect(waiting.approvals[0]?.approvers).toEqual(['bob@example.com']);

    // Alice is the author, so she gets no email; a link made for her with the real key is still refused.
    const expiresAt = Math.floor(Date.now() / 1000) + 60;
    const token = signLink({ releaseId: id, environment: 'prod', approver: 'alice@example.com', expiresAt }, stack.signingSecret);
    const response = await fetch(`${stack.apiUrl}/approve/${token}`, { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { type: string }).type).toMatch(/self-approval$/);
    expect(await auditEvents(stack, id)).toContainEqual(expect.objectContaining({ action: 'approval.refused', actor: 'alice@example.com' }));
    expect((await ci.release(id)).approvals[0]?.votes).toEqual([]);
  });

  it('reads as an audit view in the execution history: state names and the approvers in task output', async () => {
    const created = await ci.startRelease({ app: 'hello-web', image: imageFor('history') });
    const id = String(created.json.id);
    await ci.waitForStatus(id, ['waiting_for_approval']);
    const emails = await mailbox(stack).waitFor((e) => e.destination.to.includes('bob@example.com') && e.subject.includes(imageFor('history').split('@')[1]?.slice(0, 19) ?? ''), 1);
    await fetch(approvalLink(emails[0]!), { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
    const done = await ci.waitForStatus(id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');

    const sfn = new SFNClient({ endpoint: stack.sfnUrl, region: 'us-east-1' });
    // One execution per environment: the prod promotion reads approval → checks → deploy → checks → record.
    const executionArn = done.stages.find((s) => s.environment === 'prod')?.executionArn;
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(execution.status).toBe('SUCCEEDED');
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const entered = (history.events ?? []).flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));
    expect(entered).toEqual(['NeedsApproval', 'WaitForApproval', 'RunPreDeploymentChecks', 'Deploy', 'IsFrozen', 'RunPostDeploymentChecks', 'RecordSucceeded', 'PromotionSucceeded']);
    const approvalExit = (history.events ?? []).find((e) => e.stateExitedEventDetails?.name === 'WaitForApproval');
    expect(JSON.parse(approvalExit?.stateExitedEventDetails?.output ?? '{}')).toMatchObject({ approval: { approvedBy: ['bob@example.com'] } });
    expect(history.events?.length).toBeLessThanOrEqual(40);
    sfn.destroy();
  });
});
