import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { itemCount } from '../support/table';

let stack: TestStack;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack();
  admin = api(stack, stack.adminToken);
});
afterAll(() => stack?.close());

describe('tokens', () => {
  it('shows a new secret once, lists tokens without secrets, and a revoked token stops working', async () => {
    const created = await admin.call('POST', '/v1/tokens', { identity: 'Carol@Example.com', description: 'laptop', expiresInDays: 30 });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ identity: 'carol@example.com', type: 'personal', token: expect.stringMatching(/^gk_[\w-]{43}$/) });
    expect(created.json).not.toHaveProperty('hash');
    const secret = String(created.json.token);

    const listed = await admin.call('GET', '/v1/tokens');
    const text = JSON.stringify(listed.json);
    expect(text).toContain(String(created.json.id));
    expect(text).not.toContain(secret);
    expect(text).not.toContain('"hash"');

    const carol = api(stack, secret);
    expect((await carol.call('GET', '/v1/apps/hello-web')).status).toBe(200);
    expect((await admin.call('DELETE', `/v1/tokens/${created.json.id}`)).json).toMatchObject({ revokedAt: expect.any(String), revokedBy: 'admin@example.com' });
    expect((await carol.call('GET', '/v1/apps/hello-web')).status).toBe(401);
  });
});

describe('authorization', () => {
  it('keeps management to admins and writes nothing on refusal', async () => {
    const before = await itemCount(stack);
    const ci = api(stack);
    expect((await ci.call('POST', '/v1/tokens', { identity: 'ci:evil' })).status).toBe(403);
    expect((await ci.call('PUT', '/v1/directory/groups/release-managers', { members: ['mallory@example.com'] })).status).toBe(403);
    expect((await ci.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { required: 0 })).status).toBe(403);
    expect(await itemCount(stack)).toBe(before);
  });

  it.each([
    ['erin@example.com (viewer) starts a release', 'erin@example.com', 403],
    ['dave@example.com (config approver) starts a release', 'dave@example.com', 403],
    ['carol@example.com (deployer) starts a release', 'carol@example.com', 201],
  ])('%s', async (_name, identity, status) => {
    const caller = await as(stack, identity);
    const response = await caller.startRelease({ app: 'hello-web', image: imageFor(identity) });
    expect(response.status).toBe(status);
    if (status === 201) await api(stack).waitForStatus(String(response.json.id), ['waiting_for_approval']);
  });

  it('lets a viewer read releases but not cancel them', async () => {
    const id = String((await api(stack).startRelease({ app: 'hello-web', image: imageFor('viewer-read') })).json.id);
    const erin = await as(stack, 'erin@example.com');
    expect((await erin.call('GET', `/v1/releases/${id}`)).status).toBe(200);
    expect((await erin.call('POST', `/v1/releases/${id}/cancel`)).status).toBe(403);
    const outsider = await as(stack, 'mallory@example.com');
    expect((await outsider.call('GET', `/v1/releases/${id}`)).status).toBe(403);
    // Settled before the next tests count the table's items: its staging deploy writes as it goes.
    await api(stack).waitForStatus(id, ['waiting_for_approval']);
  });
});

describe('policies and the directory', () => {
  it('registers a new app once, validating it', async () => {
    const definition = {
      environments: [
        { name: 'staging', namespace: 'shop-staging', deployment: 'shop', container: 'app', policy: { required: 0 } },
        { name: 'prod', namespace: 'shop', deployment: 'shop', container: 'app', policy: { required: 2 } },
      ],
    };
    expect((await api(stack).call('PUT', '/v1/apps/shop', definition)).status).toBe(403);
    const created = await admin.call('PUT', '/v1/apps/shop', definition);
    expect(created.status).toBe(201);
    expect((await admin.call('GET', '/v1/apps/shop/envs/prod/policy')).json).toMatchObject({ policy: { required: 2, timeoutSeconds: 259200 } });
    expect((await admin.call('PUT', '/v1/apps/shop', definition)).status).toBe(409);

    // One environment is a pipeline too.
    expect((await admin.call('PUT', '/v1/apps/solo', { environments: [definition.environments[0]] })).status).toBe(201);
  });

  it('registers a chain and a fan-out, keeping what each environment follows and its cluster', async () => {
    const env = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: `pipe-${name}`, deployment: 'web', container: 'app', ...extra });
    const chain = await admin.call('PUT', '/v1/apps/chain', { environments: [env('qa'), env('staging'), env('prod')] });
    expect(chain.status).toBe(201);
    // Without any `after` the list is a chain in the order given.
    const chainEnvs = (await admin.call('GET', '/v1/apps/chain')).json.environments as Array<{ name: string; order: number; after?: string[] }>;
    expect(chainEnvs.map((e) => [e.name, e.order])).toEqual([
      ['qa', 0],
      ['staging', 1],
      ['prod', 2],
    ]);

    const fanOut = await admin.call('PUT', '/v1/apps/fan-out', {
      environments: [env('staging'), env('prod-eu', { after: ['staging'], cluster: 'eu' }), env('prod-us', { after: ['staging'], cluster: 'us' })],
    });
    expect(fanOut.status).toBe(201);
    const fanOutEnvs = (await admin.call('GET', '/v1/apps/fan-out')).json.environments as Array<{ name: string; after?: string[]; target: Record<string, unknown> }>;
    expect(fanOutEnvs.map((e) => [e.name, e.after])).toEqual([
      ['staging', []],
      ['prod-eu', ['staging']],
      ['prod-us', ['staging']],
    ]);
    expect(fanOutEnvs.find((e) => e.name === 'prod-eu')?.target).toEqual({ namespace: 'pipe-prod-eu', deployment: 'web', container: 'app', cluster: 'eu' });
    expect(fanOutEnvs.find((e) => e.name === 'prod-us')?.target).toMatchObject({ cluster: 'us' });
    expect(fanOutEnvs.find((e) => e.name === 'staging')?.target).not.toHaveProperty('cluster');
  });

  it('refuses an invalid pipeline, saying what is wrong, and registers nothing', async () => {
    const env = (name: string, after?: string[]) => ({ name, namespace: `bad-${name}`, deployment: 'web', container: 'app', ...(after ? { after } : {}) });
    const refused = async (app: string, environments: unknown[], detail: RegExp | string) => {
      const response = await admin.call('PUT', `/v1/apps/${app}`, { environments });
      expect(response.json, app).toMatchObject({ status: 400, detail: typeof detail === 'string' ? expect.stringContaining(detail) : expect.stringMatching(detail) });
      expect((await admin.call('GET', `/v1/apps/${app}`)).status, app).toBe(404);
    };
    const before = await itemCount(stack);
    await refused('cycle', [env('qa', []), env('staging', ['qa', 'prod']), env('prod', ['staging'])], 'cycle: prod → staging → prod');
    await refused('rootless', [env('a', ['b']), env('b', ['a'])], /no environment starts the pipeline.*a → b → a/);
    await refused('unknown-after', [env('staging', []), env('prod', ['stagign'])], '"prod" follows "stagign", which is not one of this app\'s environments (staging, prod)');
    await refused('self', [env('prod', ['prod'])], '"prod" cannot follow itself');
    await refused('duplicate', [env('prod'), env('staging'), env('prod')], 'environments[0] and environments[2] are both named "prod"');
    await refused('none', [], 'at least one environment');
    await refused('too-many', Array.from({ length: 21 }, (_, i) => env(`env-${i}`)), 'at most 20 environments');
    expect(await itemCount(stack)).toBe(before);
    // Twenty is the limit, not past it.
    expect((await admin.call('PUT', '/v1/apps/twenty', { environments: Array.from({ length: 20 }, (_, i) => env(`env-${i}`)) })).status).toBe(201);
  });

  it('validates a policy with a message that names the field, and changes nothing', async () => {
    const response = await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { required: 1, rules: [{ group: 'security', min: 0 }] });
    expect(response.json).toMatchObject({ status: 400, detail: expect.stringContaining('rules[0].min') });
    expect((await admin.call('GET', '/v1/apps/hello-web/envs/prod/policy')).json).toMatchObject({ policyVersion: 0, policy: { required: 1, rules: [] } });
  });

  it('grants and revokes roles, versioned', async () => {
    const grant = await admin.call('POST', '/v1/directory/grants', { subject: { user: 'frank@example.com' }, role: 'viewer', app: 'hello-web', environment: '*' });
    expect(grant.status).toBe(201);
    const frank = await as(stack, 'frank@example.com');
    expect((await frank.call('GET', '/v1/apps/hello-web')).status).toBe(200);
    expect((await admin.call('DELETE', `/v1/directory/grants/${grant.json.id}`)).status).toBe(200);
    expect((await frank.call('GET', '/v1/apps/hello-web')).status).toBe(403);
    const bad = await admin.call('POST', '/v1/directory/grants', { subject: { user: 'frank@example.com' }, role: 'superuser', app: 'hello-web', environment: '*' });
    expect(bad.status).toBe(400);
  });
});
