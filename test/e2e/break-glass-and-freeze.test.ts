import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, imageFor, mailbox, runningImage } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';

let stack: TestStack;
let ci: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack();
  ci = api(stack);
  admin = api(stack, stack.adminToken);
});
afterAll(() => stack?.close());

/** A local wall-clock time in UTC, as freeze windows take it ('YYYY-MM-DDTHH:MM'). */
const utcMinute = (date: Date) => date.toISOString().slice(0, 16);

describe('break-glass (B6)', () => {
  it('deploys past the gate with a justification, tells every approver and admin, and queues a review', async () => {
    await admin.call('POST', '/v1/directory/grants', { subject: { user: 'carol@example.com' }, role: 'break-glass', app: 'hello-web', environment: 'prod' });
    const carol = await as(stack, 'carol@example.com');
    const image = imageFor('glass');

    const short = await carol.startRelease({ app: 'hello-web', image, breakGlass: { justification: 'urgent' } });
    expect(short.json).toMatchObject({ status: 403, type: expect.stringMatching(/break-glass-refused$/), detail: expect.stringContaining('20 characters') });
    const noGrant = await ci.startRelease({ app: 'hello-web', image, breakGlass: { justification: 'payment outage, hotfix for INC-1234' } });
    expect(noGrant.json).toMatchObject({ status: 403, type: expect.stringMatching(/break-glass-refused$/) });

    const created = await carol.startRelease({ app: 'hello-web', image, breakGlass: { justification: 'payment outage, hotfix for INC-1234' } });
    expect(created.status).toBe(201);
    const id = String(created.json.id);
    const done = await ci.waitForStatus(id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(await runningImage(stack, 'prod')).toBe(image);

    const loud = await mailbox(stack).waitFor((e) => e.subject.includes('BREAK-GLASS') && (e.body.text ?? '').includes('INC-1234'), 3);
    expect(loud.flatMap((e) => e.destination.to).sort()).toEqual(['admin@example.com', 'alice@example.com', 'bob@example.com']);
    expect((await auditEvents(stack, id)).map((e) => e.action)).toContain('release.break-glass');

    const bob = await as(stack, 'bob@example.com');
    const reviews = await bob.call('GET', '/v1/reviews');
    expect(reviews.json.reviews).toContainEqual(expect.objectContaining({ releaseId: id, breakGlass: expect.objectContaining({ by: 'carol@example.com' }) }));
    expect((await carol.call('POST', `/v1/reviews/${id}`, { comment: 'fine' })).status).toBe(403);
    const closed = await bob.call('POST', `/v1/reviews/${id}`, { comment: 'Checked the diff with carol; OK.' });
    expect(closed.status).toBe(200);
    expect((await bob.call('GET', '/v1/reviews')).json.reviews).not.toContainEqual(expect.objectContaining({ releaseId: id }));
    expect((await bob.call('POST', `/v1/reviews/${id}`, { comment: 'again' })).status).toBe(409);
  });
});

describe('freeze windows (B7)', () => {
  it('refuses a release while a fail-policy freeze is active', async () => {
    const now = new Date();
    const window = { kind: 'range', timeZone: 'UTC', from: utcMinute(new Date(now.getTime() - 60_000)), to: utcMinute(new Date(now.getTime() + 3_600_000)), reason: 'year-end freeze' };
    expect((await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { required: 1, freeze: { onFreeze: 'fail', windows: [window] } })).status).toBe(200);
    const refused = await ci.startRelease({ app: 'hello-web', image: imageFor('frozen') });
    expect(refused.json).toMatchObject({ status: 409, type: expect.stringMatching(/frozen$/), detail: expect.stringContaining('year-end freeze') });
  });

  it('holds an approved release until a wait-policy freeze ends, then deploys it', async () => {
    const now = new Date();
    // Freeze windows have minute precision: this one ends at the start of the next minute.
    const end = new Date(Math.ceil((now.getTime() + 1) / 60_000) * 60_000);
    const window = { kind: 'range', timeZone: 'UTC', from: utcMinute(new Date(now.getTime() - 60_000)), to: utcMinute(end) };
    expect((await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { required: 0, freeze: { onFreeze: 'wait', windows: [window] } })).status).toBe(200);
    const image = imageFor('after-freeze');
    const id = String((await ci.startRelease({ app: 'hello-web', image })).json.id);
    // Staging is not frozen; prod waits for the window's end.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    if (Date.now() < end.getTime() - 500) {
      // Its promotion started, but nothing touched the cluster yet.
      expect((await ci.release(id)).stages.find((s) => s.environment === 'prod')).toMatchObject({ status: 'queued' });
      expect((await ci.release(id)).stages.find((s) => s.environment === 'prod')?.deployStartedAt).toBeUndefined();
    }
    const done = await ci.waitForStatus(id, ['succeeded', 'failed'], 70_000);
    expect(done.status).toBe('succeeded');
    expect(Date.parse(done.stages.find((s) => s.environment === 'prod')?.deployStartedAt ?? '')).toBeGreaterThanOrEqual(end.getTime());
    await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { required: 1 });
  }, 90_000);
});
