import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsFromDeployments, type FinishedDeployment } from '../../functions/domain/dora';
import { api, approvalLink, as, imageFor, linkFor, mailbox, runningImage } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { auditEvents } from '../support/table';

let stack: TestStack;
let ci: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack();
  ci = api(stack);
});
afterAll(() => stack?.close());

interface DeploymentJson extends FinishedDeployment {
  id: string;
  type: string;
  image: string;
  executionUrl: string;
  approvers: string[];
  rollbackOf?: string;
}

/** A release all the way to prod (approved by bob), with a commit time for lead time. */
async function ship(seed: string, committedAt: string) {
  const image = imageFor(seed);
  const id = String((await ci.startRelease({ app: 'hello-web', image, commit: 'abc1234', committedAt })).json.id);
  await ci.waitForStatus(id, ['waiting_for_approval']);
  const [email] = await mailbox(stack).waitFor((e) => e.destination.to.includes('bob@example.com') && e.subject.includes(image.split('@')[1]!.slice(0, 19)), 1);
  await fetch(approvalLink(email!), { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
  return { id, image, release: await ci.waitForStatus(id, ['succeeded', 'failed']) };
}

const history = async (query = '') => (await ci.call('GET', `/v1/apps/hello-web/envs/prod/deployments${query}`)).json as { deployments: DeploymentJson[]; cursor?: string };

describe('deployment history, compare and rollback (S9, S10)', () => {
  let first: Awaited<ReturnType<typeof ship>>;
  let second: Awaited<ReturnType<typeof ship>>;

  it('lists deployments newest first with who asked, who approved, the result and a link to the execution, paged by cursor', async () => {
    first = await ship('history-1', new Date(Date.now() - 3_600_000).toISOString());
    second = await ship('history-2', new Date(Date.now() - 1_800_000).toISOString());
    const page1 = await history('?limit=1');
    expect(page1.deployments).toHaveLength(1);
    expect(page1.deployments[0]).toMatchObject({
      image: second.image,
      type: 'release',
      result: 'succeeded',
      requestedBy: 'ci:hello-web-pipeline',
      approvers: ['bob@example.com'],
      deployedBy: 'system:release-state-machine',
      executionUrl: expect.stringContaining(`/v1/releases/${second.id}/history`),
    });
    const page2 = await history(`?limit=1&cursor=${page1.cursor}`);
    expect(page2.deployments[0]?.image).toBe(first.image);
    expect((await ci.call('GET', `/v1/apps/hello-web/envs/prod/deployments?cursor=${Buffer.from('{"pk":"DEPLOY#other#prod","sk":"x"}').toString('base64url')}`)).status).toBe(400);
    const execution = await ci.call('GET', page1.deployments[0]!.executionUrl.replace(stack.apiUrl, ''));
    const executions = execution.json.executions as Array<{ environment: string; events: Array<{ state?: string }> }>;
    expect(executions.map((e) => e.environment)).toEqual(['staging', 'prod']);
    expect(executions[1]?.events).toEqual(expect.arrayContaining([expect.objectContaining({ state: 'WaitForApproval' })]));
  });

  it('compares two deployments', async () => {
    const { deployments } = await history('?limit=2');
    const compared = await ci.call('GET', `/v1/apps/hello-web/envs/prod/deployments/compare?from=${deployments[1]!.id}&to=${deployments[0]!.id}`);
    expect(compared.json.changes).toEqual([{ field: 'image', from: first.image, to: second.image }]);
  });

  it('rolls back to the last good deployment through the state machine, audited with actor and reason', async () => {
    const erin = await as(stack, 'erin@example.com');
    expect((await erin.call('POST', '/v1/apps/hello-web/envs/prod/rollback', { reason: 'no' })).status).toBe(403);
    const carol = await as(stack, 'carol@example.com');
    const rollback = await carol.call('POST', '/v1/apps/hello-web/envs/prod/rollback', { reason: 'checkout errors after 2.0' });
    expect(rollback.status).toBe(202);
    expect(rollback.json).toMatchObject({ type: 'rollback', target: { image: first.image } });
    const done = await ci.waitForStatus(String(rollback.json.id), ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(await runningImage(stack, 'prod')).toBe(first.image);
    const [latest] = (await history('?limit=1')).deployments;
    expect(latest).toMatchObject({ type: 'rollback', image: first.image, requestedBy: 'carol@example.com', rollbackOf: expect.any(String) });
    expect(await auditEvents(stack, String(rollback.json.id))).toContainEqual(expect.objectContaining({ action: 'release.rollback', actor: 'carol@example.com' }));
  });

  it('waits for an approval before a rollback when the policy asks for one', async () => {
    const admin = api(stack, stack.adminToken);
    expect((await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { required: 1, rollbackRequiresApproval: true })).status).toBe(200);
    const carol = await as(stack, 'carol@example.com');
    const target = (await history('?limit=10')).deployments.find((d) => d.image === second.image && d.type === 'release');
    const rollback = await carol.call('POST', '/v1/apps/hello-web/envs/prod/rollback', { deploymentId: target!.id, reason: 'back to 2.0 after the fix' });
    const id = String(rollback.json.id);
    await ci.waitForStatus(id, ['waiting_for_approval']);
    await fetch(await linkFor(stack, id, 'bob@example.com'), { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
    expect((await ci.waitForStatus(id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(await runningImage(stack, 'prod')).toBe(second.image);
    await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { required: 1 });
  });

  it('records a failed production rollout as a failed deployment followed by an automatic rollback', async () => {
    const image = imageFor('history-broken');
    stack.kubernetes.setFailingImages([image]);
    try {
      const id = String((await ci.startRelease({ app: 'hello-web', image })).json.id);
      // Staging fails too with this image, so only look at what happened there.
      const done = await ci.waitForStatus(id, ['failed']);
      expect(done.stages[0]).toMatchObject({ environment: 'staging', status: 'rolled_back' });
      const staging = (await ci.call('GET', '/v1/apps/hello-web/envs/staging/deployments?limit=2')).json as { deployments: DeploymentJson[] };
      expect(staging.deployments.map((d) => [d.type, d.result])).toEqual([
        ['automatic-rollback', 'succeeded'],
        ['release', 'rolled_back'],
      ]);
    } finally {
      stack.kubernetes.setFailingImages([]);
    }
  });
});

describe('DORA metrics (S11)', () => {
  it('answers from day buckets and equals a recomputation from the raw deployments', async () => {
    for (const env of ['prod', 'staging']) {
      const all = ((await ci.call('GET', `/v1/apps/hello-web/envs/${env}/deployments?limit=100`)).json as { deployments: DeploymentJson[] }).deployments;
      const metrics = await ci.call('GET', `/v1/apps/hello-web/envs/${env}/metrics?days=30`);
      expect(metrics.status).toBe(200);
      const { bucketsTimeZone, ...fromBuckets } = metrics.json;
      expect(bucketsTimeZone).toBe('UTC');
      expect(fromBuckets).toEqual(metricsFromDeployments('hello-web', env, 30, all, new Date()));
    }
    const prod = (await ci.call('GET', '/v1/apps/hello-web/envs/prod/metrics?days=7')).json;
    expect(prod).toMatchObject({ deployments: 4, successes: 4, failures: 0, leadTimeSeconds: { samples: 2 } });
    expect((await ci.call('GET', '/v1/apps/hello-web/envs/prod/metrics?days=5')).status).toBe(400);
  });
});
