import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoConfigStore } from '../../functions/adapters/dynamodb/config-store';
import { api, as, imageFor, linkFor, mailbox, workload } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';

let stack: TestStack;
let admin: ReturnType<typeof api>;
let carol: ReturnType<typeof api>;
let ci: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack();
  admin = api(stack, stack.adminToken);
  ci = api(stack);
  carol = await as(stack, 'carol@example.com');
  const base = await admin.call('PUT', '/v1/apps/hello-web/config/base', {
    base: { replicas: 2, env: { LOG_LEVEL: 'info' }, configMap: { 'app.yaml': 'greeting: hello\ncolour: blue\n' } },
  });
  expect(base.status).toBe(200);
});
afterAll(() => stack?.close());

const post = (link: string, decision: string) => fetch(link, { method: 'POST', body: new URLSearchParams({ decision }), headers: { accept: 'application/json' } });
const config = (override: unknown, extra: Record<string, unknown> = {}) => carol.call('PUT', '/v1/apps/hello-web/envs/prod/config', { override, comment: 'scale for the sale', ...extra });

describe('protected configuration (S4)', () => {
  it('drafts a change, asks only config approvers, publishes it on approval, and the next release deploys it', async () => {
    const drafted = await config({ replicas: 3, env: { FEATURE_X: 'on' }, resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } } });
    expect(drafted.status).toBe(202);
    const draftId = String((drafted.json.draft as { id: string }).id);

    const link = await linkFor(stack, draftId, 'dave@example.com');
    const emails = (await mailbox(stack).all()).filter((e) => e.subject.includes('Configuration change'));
    expect(emails.flatMap((e) => e.destination.to)).toEqual(['dave@example.com']);
    const page = await (await fetch(link)).text();
    expect(page).toContain('+ env.FEATURE_X');
    expect(page).toContain('scale for the sale');
    expect(page).toContain('carol@example.com');
    expect(page).toContain('none published yet');

    const alice = await as(stack, 'alice@example.com');
    const refused = await alice.call('POST', `/v1/approvals/${draftId}.prod/decision`, { decision: 'approve' });
    expect(refused.json).toMatchObject({ status: 403, type: expect.stringMatching(/not-an-approver$/) });

    expect((await post(link, 'approve')).status).toBe(200);
    const current = await carol.call('GET', '/v1/apps/hello-web/envs/prod/config');
    expect(current.json).toMatchObject({ protected: true, draft: null, published: { version: 1, approvedBy: ['dave@example.com'], effective: { replicas: 3 } } });
    expect((await auditEvents(stack, draftId)).map((e) => e.action)).toContain('approval.decided');

    const id = String((await ci.startRelease({ app: 'hello-web', image: imageFor('with-config') })).json.id);
    await ci.waitForStatus(id, ['waiting_for_approval']);
    await post(await linkFor(stack, id, 'bob@example.com'), 'approve');
    const done = await ci.waitForStatus(id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    const prod = await workload(stack, 'prod');
    expect(prod.replicas).toBe(3);
    expect(prod.env).toEqual(expect.arrayContaining([{ name: 'FEATURE_X', value: 'on' }, { name: 'LOG_LEVEL', value: 'info' }]));
    expect(prod.configMap).toEqual({ 'app.yaml': 'greeting: hello\ncolour: blue\n' });
    expect(prod.annotations['gatekeeper.dev/config-hash']).toMatch(/^sha256:/);
    const [deployment] = ((await ci.call('GET', '/v1/apps/hello-web/envs/prod/deployments?limit=1')).json as { deployments: Array<{ configVersion: number; configHash: string }> }).deployments;
    expect(deployment).toMatchObject({ configVersion: 1, configHash: expect.stringMatching(/^sha256:/) });
  });

  it('never lets the author approve, and discarding closes the request', async () => {
    await admin.call('POST', '/v1/directory/grants', { subject: { user: 'carol@example.com' }, role: 'config-approver', app: 'hello-web', environment: 'prod' });
    const drafted = await config({ replicas: 4 });
    const draftId = String((drafted.json.draft as { id: string }).id);
    const own = await carol.call('POST', `/v1/approvals/${draftId}.prod/decision`, { decision: 'approve' });
    expect(own.json).toMatchObject({ status: 403, type: expect.stringMatching(/self-approval$/) });
    const link = await linkFor(stack, draftId, 'dave@example.com');
    expect((await carol.call('DELETE', '/v1/apps/hello-web/envs/prod/config/draft')).status).toBe(200);
    expect((await post(link, 'approve')).status).toBe(409);
    expect((await carol.call('GET', '/v1/apps/hello-web/envs/prod/config')).json).toMatchObject({ draft: null, published: { version: 1 } });
  });

  it('rolls the running image out with the new configuration when the draft asks for it', async () => {
    const before = await workload(stack, 'prod');
    const drafted = await config({ replicas: 5, configMap: { 'app.yaml': 'greeting: hello\ncolour: green\n' } }, { rolloutOnApprove: true });
    const draftId = String((drafted.json.draft as { id: string }).id);
    const diff = await carol.call('GET', '/v1/apps/hello-web/envs/prod/config/draft');
    expect(String((diff.json.approval as { diff: string }).diff)).toMatch(/- configMap\["app.yaml"\].*blue[\s\S]*\+ configMap\["app.yaml"\].*green/);
    await post(await linkFor(stack, draftId, 'dave@example.com'), 'approve');
    const deadline = Date.now() + 15_000;
    let after = before;
    while (Date.now() < deadline && after.replicas !== 5) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await workload(stack, 'prod');
    }
    expect(after.replicas).toBe(5);
    expect(after.configMap?.['app.yaml']).toContain('green');
    const versions = await carol.call('GET', '/v1/apps/hello-web/envs/prod/config/versions');
    expect((versions.json.versions as Array<{ version: number }>).map((v) => v.version)).toEqual([2, 1]);
    const compared = await carol.call('GET', '/v1/apps/hello-web/envs/prod/config/diff?from=1&to=2');
    expect(String(compared.json.text)).toContain('replicas');
  });

  it('restores the previous configuration with the previous image when a rollout fails', async () => {
    const drafted = await config({ replicas: 6 });
    await post(await linkFor(stack, String((drafted.json.draft as { id: string }).id), 'dave@example.com'), 'approve');
    const image = imageFor('config-broken');
    const id = String((await ci.startRelease({ app: 'hello-web', image })).json.id);
    await ci.waitForStatus(id, ['waiting_for_approval']);
    stack.kubernetes.setFailingImages([image]);
    try {
      await post(await linkFor(stack, id, 'bob@example.com'), 'approve');
      expect((await ci.waitForStatus(id, ['failed', 'succeeded'])).status).toBe('failed');
      const prod = await workload(stack, 'prod');
      expect(prod.replicas).toBe(5);
      expect(prod.configMap?.['app.yaml']).toContain('green');
    } finally {
      stack.kubernetes.setFailingImages([]);
    }
  });

  it('refuses to publish a draft whose base version is no longer current, and shows the three-way view to rebase', async () => {
    const drafted = await config({ replicas: 7, env: { FEATURE_Y: 'mine' } });
    const draftId = String((drafted.json.draft as { id: string }).id);
    const link = await linkFor(stack, draftId, 'dave@example.com');
    // Another version lands while the draft waits (written straight to the store, as a concurrent publication would be).
    const configs = new DynamoConfigStore(createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: stack.dynamodbEndpoint }), stack.tableName);
    const latest = (await configs.latest('hello-web', 'prod'))!;
    const theirs = { ...latest.override, env: { ...latest.override.env, FEATURE_Y: 'theirs' } };
    await configs.publish(
      { ...latest, version: latest.version + 1, baseVersion: latest.version, override: theirs, author: 'erin@example.com', publishedAt: new Date().toISOString() },
      { id: randomUUID(), app: 'hello-web', actor: 'test', action: 'config.published', subject: 'config/prod', at: new Date().toISOString() },
    );
    const stale = await post(link, 'approve');
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { type: string }).type).toMatch(/stale-draft$/);
    const view = await carol.call('GET', '/v1/apps/hello-web/envs/prod/config/draft/rebase');
    expect(view.json).toMatchObject({ baseVersion: latest.version, latestVersion: latest.version + 1, conflicts: ['env.FEATURE_Y'] });
    await carol.call('DELETE', '/v1/apps/hello-web/envs/prod/config/draft');
  });

  it('refuses credential-looking values and points to a secret reference', async () => {
    const refused = await config({ env: { DB_PASSWORD: 'hunter2hunter2' } });
    expect(refused.json).toMatchObject({ status: 422, type: expect.stringMatching(/secret-in-config$/), detail: expect.stringContaining('secretRef') });
    const fine = await config({ env: { DB_PASSWORD: { secretRef: { name: 'db', key: 'password' } } } });
    expect(fine.status).toBe(202);
    await carol.call('DELETE', '/v1/apps/hello-web/envs/prod/config/draft');
  });

  it('publishes at once in an unprotected environment', async () => {
    const published = await carol.call('PUT', '/v1/apps/hello-web/envs/staging/config', { override: { replicas: 1 } });
    expect(published.status).toBe(201);
    expect(published.json).toMatchObject({ published: { version: 1, effective: { replicas: 1, env: { LOG_LEVEL: 'info' } } } });
  });
});
