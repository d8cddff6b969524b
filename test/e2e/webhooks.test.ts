import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, imageFor, linkFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { itemCount } from '../support/table';
import { startReceiver, verifySignature, type Receiver } from '../support/webhook-receiver';

// The whole local stack: the table's stream read by the stream poller, the events handler, the reconciler driven by hand.
let stack: TestStack;
let ci: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;
let nextImage = Date.now();
const receivers: Receiver[] = [];

beforeAll(async () => {
  // Retries come due at once, so each reconciler pass is the next attempt.
  stack = await startTestStack({ reconcileIntervalMs: 0, webhookRetryBaseSeconds: 0 });
  ci = api(stack);
  admin = api(stack, stack.adminToken);
});
afterAll(async () => {
  await stack?.close();
  for (const receiver of receivers) await receiver.close();
});

async function receiver(options: Parameters<typeof startReceiver>[0] = {}): Promise<Receiver> {
  const started = await startReceiver(options);
  receivers.push(started);
  return started;
}

async function subscribe(url: string, events: string[], app = 'hello-web') {
  const created = await admin.call('POST', `/v1/apps/${app}/webhooks`, { url, events });
  expect(created.status).toBe(201);
  return { id: String(created.json.id), secret: String(created.json.secret) };
}

const unsubscribe = async (id: string, app = 'hello-web') => expect((await admin.call('DELETE', `/v1/apps/${app}/webhooks/${id}`)).status).toBe(200);

async function deliveries(id: string): Promise<Array<Record<string, unknown>>> {
  const listed = await admin.call('GET', `/v1/apps/hello-web/webhooks/${id}/deliveries`);
  expect(listed.status).toBe(200);
  return listed.json.deliveries as Array<Record<string, unknown>>;
}

async function startRelease() {
  const created = await ci.startRelease({ app: 'hello-web', image: imageFor(nextImage++), commit: 'abc1234', author: 'carol@example.com', comment: 'ship it' });
  expect(created.status).toBe(201);
  return String(created.json.id);
}

describe('webhooks', () => {
  // First, while no release runs: nothing else writes to the table meanwhile.
  it('refuses bad subscriptions with problems and writes nothing', async () => {
    const before = await itemCount(stack);
    const cases: Array<[ReturnType<typeof api>, string, unknown, number, string]> = [
      [admin, 'hello-web', { url: 'http://hooks.example.com/x', events: ['release.started'] }, 400, 'validation'],
      [admin, 'hello-web', { url: 'not a url', events: ['release.started'] }, 400, 'validation'],
      [admin, 'hello-web', { url: 'ftp://hooks.example.com/x', events: ['release.started'] }, 400, 'validation'],
      [admin, 'hello-web', { url: 'https://user:pw@hooks.example.com/x', events: ['release.started'] }, 400, 'validation'],
      [admin, 'hello-web', { url: 'https://hooks.example.com/x', events: ['release.exploded'] }, 400, 'validation'],
      [admin, 'hello-web', { url: 'https://hooks.example.com/x', events: [] }, 400, 'validation'],
      [admin, 'hello-web', { url: 'https://hooks.example.com/x', events: ['release.started'], kind: 'teams' }, 400, 'validation'],
      [admin, 'hello-web', { url: 'https://hooks.example.com/x', events: ['release.started'], secret: 'mine' }, 400, 'validation'],
      [admin, 'Hello_Web', { url: 'https://hooks.example.com/x', events: ['release.started'] }, 400, 'validation'],
      [ci, 'hello-web', { url: 'https://hooks.example.com/x', events: ['release.started'] }, 403, 'forbidden'],
      [admin, 'no-such-app', { url: 'https://hooks.example.com/x', events: ['release.started'] }, 404, 'unknown-app'],
    ];
    for (const [client, app, body, status, type] of cases) {
      const answer = await client.call('POST', `/v1/apps/${app}/webhooks`, body);
      expect([answer.status, answer.json.type, answer.contentType]).toEqual([status, `https://gatekeeper.dev/problems/${type}`, 'application/problem+json']);
    }
    expect((await admin.call('DELETE', '/v1/apps/hello-web/webhooks/wh_nope')).status).toBe(404);
    expect((await admin.call('DELETE', '/v1/apps/hello-web/webhooks/not-an-id')).status).toBe(400);
    expect((await ci.call('GET', '/v1/apps/hello-web/webhooks')).status).toBe(403);
    expect(await itemCount(stack)).toBe(before);
  });

  it('delivers signed events of a release, each once, and lists the deliveries', async () => {
    const hooks = await receiver();
    const { id, secret } = await subscribe(hooks.url, ['release.started', 'approval.requested', 'stage.deployed', 'approval.decided', 'release.finished']);
    hooks.useSecret(secret);
    expect(secret).toMatch(/^whsec_/);
    const listed = await admin.call('GET', '/v1/apps/hello-web/webhooks');
    expect(listed.json.webhooks).toEqual([expect.objectContaining({ id, url: hooks.url, kind: 'json' })]);
    expect(JSON.stringify(listed.json)).not.toContain(secret);

    const releaseId = await startRelease();
    await ci.waitForStatus(releaseId, ['waiting_for_approval']);
    const [requested] = await hooks.waitFor((d) => d.json.type === 'approval.requested');
    expect(requested?.json.subject).toMatchObject({ app: 'hello-web', releaseId, environment: 'prod', commit: 'abc1234', author: 'carol@example.com', comment: 'ship it', required: 1, votes: [] });
    expect(requested?.json.subject.dashboardUrl).toBe(`${stack.apiUrl}/approvals#${releaseId}-prod`);

    await fetch(await linkFor(stack, releaseId, 'alice@example.com'), { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
    expect((await ci.waitForStatus(releaseId, ['succeeded', 'failed'])).status).toBe('succeeded');
    // Records of one batch are handled side by side: wait for all six, in whatever order they come.
    await hooks.waitFor((d) => d.json.subject.releaseId === releaseId, 6);
    const [finished] = hooks.received.filter((d) => d.json.type === 'release.finished');
    const types = hooks.received.filter((d) => d.json.subject.releaseId === releaseId).map((d) => `${d.json.type}${d.json.subject.environment ? ` ${String(d.json.subject.environment)}` : ''}`);
    expect(types.sort()).toEqual(['approval.decided prod', 'approval.requested prod', 'release.finished', 'release.started', 'stage.deployed prod', 'stage.deployed staging']);
    expect(finished?.json.subject).toMatchObject({ status: 'succeeded' });
    for (const delivery of hooks.received) {
      expect(delivery.verified).toBe(true);
      expect(delivery.headers['x-gatekeeper-event']).toBe(delivery.json.type);
      expect(delivery.headers['x-gatekeeper-delivery']).toBe(`${delivery.json.id}.${id}`);
      expect(Object.keys(delivery.json).sort()).toEqual(['actor', 'at', 'id', 'subject', 'type']);
    }
    // Another secret (or a body changed on the way) does not verify.
    const one = hooks.received[0]!;
    expect(verifySignature('whsec_other', String(one.headers['x-gatekeeper-signature']), one.body)).toBe(false);
    expect(verifySignature(secret, String(one.headers['x-gatekeeper-signature']), `${one.body} `)).toBe(false);
    expect(verifySignature(secret, String(one.headers['x-gatekeeper-signature']), one.body, Date.now() + 6 * 60_000)).toBe(false);

    // The outcome is recorded just after the receiver answered.
    await expect.poll(async () => (await deliveries(id)).filter((d) => d.status === 'delivered').length).toBe(6);
    const log = await deliveries(id);
    for (const entry of log) expect(entry).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204 });
    expect(log[0]).not.toHaveProperty('body');
    await unsubscribe(id);
  });

  it('retries a receiver that fails twice through the reconciler, with the same delivery id', async () => {
    const flaky = await receiver({ failFirst: 2 });
    const { id, secret } = await subscribe(flaky.url, ['release.*', 'rollback.*']);
    flaky.useSecret(secret);
    const releaseId = await startRelease();
    const [first] = await flaky.waitFor((d) => d.json.subject.releaseId === releaseId);
    expect(first?.answered).toBe(503);
    await expect.poll(async () => (await deliveries(id))[0]?.attempts).toBe(1);
    expect(await deliveries(id)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, lastStatus: 503, lastError: 'answered HTTP 503', nextAttemptAt: expect.any(String) })]);

    expect((await stack.reconcile()).webhooks).toMatchObject({ retrying: 1 });
    expect((await stack.reconcile()).webhooks).toMatchObject({ delivered: 1 });
    const attempts = flaky.received.filter((d) => d.json.subject.releaseId === releaseId);
    expect(attempts.map((d) => d.answered)).toEqual([503, 503, 204]);
    expect(new Set(attempts.map((d) => d.headers['x-gatekeeper-delivery'])).size).toBe(1);
    expect(new Set(attempts.map((d) => d.body)).size).toBe(1);
    expect(attempts.every((d) => d.verified)).toBe(true);
    expect(await deliveries(id)).toEqual([expect.objectContaining({ status: 'delivered', attempts: 3, lastStatus: 204, deliveredAt: expect.any(String) })]);
    await unsubscribe(id);
    await cancel(releaseId);
  });

  it('posts a Block Kit message to a slack subscription, linking to the dashboard and never to a personal approval link', async () => {
    const slack = await receiver();
    const created = await admin.call('POST', '/v1/apps/hello-web/webhooks', { url: slack.url, events: ['approval.requested'], kind: 'slack' });
    expect(created.status).toBe(201);
    slack.useSecret(String(created.json.secret));
    const releaseId = await startRelease();
    const [message] = await slack.waitFor((d) => d.body.includes(releaseId));
    const payload = JSON.parse(message!.body) as { text: string; blocks: Array<{ type: string }> };
    expect(payload.text).toEqual(expect.any(String));
    expect(payload.blocks.map((b) => b.type)).toContain('actions');
    expect(message!.body).toContain(`/approvals#${releaseId}-prod`);
    expect(message!.body).not.toContain('/approve/');
    expect(message!.verified).toBe(true);
    await unsubscribe(String(created.json.id));
    await cancel(releaseId);
  });

  it('a receiver that never answers, or a closed port, does not delay a release', async () => {
    const silent = await receiver({ hang: true });
    const closedPort = await freeClosedPort();
    const hanging = await subscribe(silent.url, ['release.started', 'approval.requested', 'stage.deployed']);
    const refused = await subscribe(`http://127.0.0.1:${closedPort}/hooks`, ['release.started', 'approval.requested', 'stage.deployed']);
    const started = Date.now();
    const releaseId = await startRelease();
    await ci.waitForStatus(releaseId, ['waiting_for_approval'], 4_000);
    // Staging deployed and prod asked well inside the receiver's 5 s timeout.
    expect(Date.now() - started).toBeLessThan(4_000);
    await silent.waitFor((d) => d.json.type === 'release.started');
    const pending = async () => (await deliveries(refused.id)).filter((d) => d.status === 'pending' && d.attempts === 1).length;
    await expect.poll(pending, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect((await deliveries(refused.id))[0]).toMatchObject({ lastError: expect.stringContaining('ECONNREFUSED') });
    await unsubscribe(hanging.id);
    await unsubscribe(refused.id);
    await cancel(releaseId);
  });

});

async function cancel(releaseId: string) {
  await ci.waitForStatus(releaseId, ['waiting_for_approval']);
  expect((await ci.call('POST', `/v1/releases/${releaseId}/cancel`)).status).toBe(202);
  await ci.waitForStatus(releaseId, ['cancelled']);
}

/** A loopback port nothing listens on (taken, then given back). */
function freeClosedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
