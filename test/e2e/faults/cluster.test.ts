import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, linkFor, mailbox, runningImage } from '../../support/clients';
import { startTestStack, type TestStack } from '../../support/stack';
import { auditEvents } from '../../support/table';
import { expectAuditIntact, history, nextImage, releaseAwaitingApproval, vote } from './helpers';

// Issue 8: the Kubernetes side, one fault at a time (the simulator's fault switch), and drift.
let stack: TestStack;
let ci: ReturnType<typeof api>;
let admin: ReturnType<typeof api>;

beforeAll(async () => {
  // Rollouts slow enough that a fault can be switched on while one is in progress.
  stack = await startTestStack({ reconcileIntervalMs: 0, rollout: { delayMs: 300, progressDeadlineMs: 900, timeoutSeconds: 3, pollMs: 25 } });
  ci = api(stack);
  admin = api(stack, stack.adminToken);
});
afterAll(() => stack?.close());

/** Waits until the release's prod stage has reached one of `statuses`. */
async function prodStage(id: string, statuses: string[]) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const stage = (await ci.release(id)).stages.find((s) => s.environment === 'prod');
    if (stage && statuses.includes(stage.status)) return stage;
    if (Date.now() > deadline) throw new Error(`prod stage of ${id} never reached ${statuses.join('|')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function setImageOutOfBand(namespace: string, image: string) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stack.kubeconfigPath);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const deployment = await apps.readNamespacedDeployment({ name: 'hello-web', namespace });
  const container = deployment.spec!.template.spec!.containers.find((c) => c.name === 'web')!;
  container.image = image;
  await apps.replaceNamespacedDeployment({ name: 'hello-web', namespace, body: deployment });
}

describe('cluster unreachable (defect 4)', () => {
  it('during the production deploy: retried, then failed with a reason a human understands; prod untouched', async () => {
    const prodBefore = await runningImage(stack, 'prod');
    const { id, link } = await releaseAwaitingApproval(stack);
    stack.kubernetes.setFaults({ unreachable: true });
    try {
      expect((await vote(link)).status).toBe(200);
      const done = await ci.waitForStatus(id, ['failed', 'succeeded'], 60_000);
      expect(done.status).toBe('failed');
      expect(done.reason).toMatch(/ClusterUnreachable: the Kubernetes API at https?:\/\/127\.0\.0\.1:\d+ did not answer/);
      expect(done.reason).not.toMatch(/fetch failed/);
    } finally {
      stack.kubernetes.clearFaults();
    }
    expect(await runningImage(stack, 'prod')).toBe(prodBefore);
    await expectAuditIntact(stack);
  }, 90_000);

  it('during the rollback: recorded as rollback_failed (stage, history, audit), the environment flagged, the release says prod needs attention', async () => {
    const { id, image, link } = await releaseAwaitingApproval(stack);
    stack.kubernetes.setFailingImages([image]);
    try {
      expect((await vote(link)).status).toBe(200);
      // The rollout failed and was recorded; cut the cluster before the rollback can restore anything.
      await prodStage(id, ['failed']);
      stack.kubernetes.setFaults({ unreachable: true });
      const done = await ci.waitForStatus(id, ['failed', 'succeeded'], 60_000);
      expect(done.status).toBe('failed');
      expect(done.reason).toMatch(/^prod: failed and its rollback failed \(hello-web\/prod needs attention: rolling back from .* failed \(ClusterUnreachable/);
      expect(done.stages.find((s) => s.environment === 'prod')?.status).toBe('rollback_failed');
      const [failedDeployment] = await history(stack, 'prod');
      expect(failedDeployment).toMatchObject({ releaseId: id, result: 'rollback_failed' });
      expect((await auditEvents(stack, id)).map((e) => e.action)).toContain('deployment.rollback-failed');
      const app = (await admin.call('GET', '/v1/apps/hello-web')).json as { environments: Array<{ name: string; attention?: { releaseId: string } }> };
      expect(app.environments.find((e) => e.name === 'prod')?.attention).toMatchObject({ releaseId: id });
    } finally {
      stack.kubernetes.clearFaults();
      stack.kubernetes.setFailingImages([]);
    }
    // The next good release clears the flag.
    const next = await releaseAwaitingApproval(stack);
    expect((await vote(next.link)).status).toBe(200);
    expect((await ci.waitForStatus(next.id, ['succeeded', 'failed'], 30_000)).status).toBe('succeeded');
    const app = (await admin.call('GET', '/v1/apps/hello-web')).json as { environments: Array<{ name: string; attention?: unknown }> };
    expect(app.environments.find((e) => e.name === 'prod')?.attention).toBeUndefined();
    await expectAuditIntact(stack);
  }, 120_000);
});

describe('Kubernetes write conflicts (defect 7)', () => {
  it('re-reads and re-applies on 409: the release succeeds', async () => {
    stack.kubernetes.setFaults({ conflicts: 4 });
    const { id, image, link } = await releaseAwaitingApproval(stack);
    expect((await vote(link)).status).toBe(200);
    expect((await ci.waitForStatus(id, ['succeeded', 'failed'], 30_000)).status).toBe('succeeded');
    expect(await runningImage(stack, 'prod')).toBe(image);
  }, 60_000);
});

describe('drift (defect 5)', () => {
  it('is detected by the reconciler, audited, shown on the app and to the next approvers, and recorded by the next deploy', async () => {
    const recorded = await runningImage(stack, 'prod');
    const drifted = nextImage();
    await setImageOutOfBand('prod', drifted);
    const report = await stack.reconcile();
    expect(report.drifted).toContain('hello-web/prod');
    expect((await stack.reconcile()).drifted).toContain('hello-web/prod');
    const app = (await admin.call('GET', '/v1/apps/hello-web')).json as { environments: Array<{ name: string; drift?: { image: string; expectedImage: string } }> };
    expect(app.environments.find((e) => e.name === 'prod')?.drift).toMatchObject({ image: drifted, expectedImage: recorded });
    const audit = (await admin.call('GET', '/v1/audit?app=hello-web&limit=500')).json as { events: Array<{ action: string; detail?: { runs?: { image?: string } } }> };
    // Two passes, one event.
    expect(audit.events.filter((e) => e.action === 'environment.drift_detected' && e.detail?.runs?.image === drifted)).toHaveLength(1);

    const { id, link } = await releaseAwaitingApproval(stack);
    const email = (await mailbox(stack).all()).find((e) => e.body.text?.includes(link));
    expect(email?.body.text).toContain(drifted);
    expect(email?.body.text).toMatch(/differs from what Gatekeeper recorded/);
    const page = await (await fetch(link)).text();
    expect(page).toContain(drifted);
    expect(page).toMatch(/differs from what Gatekeeper recorded/);
    expect((await vote(link)).status).toBe(200);
    const done = await ci.waitForStatus(id, ['succeeded', 'failed'], 30_000);
    expect(done.status).toBe('succeeded');
    expect(done.stages.find((s) => s.environment === 'prod')?.previousImage).toBe(drifted);
    const after = (await admin.call('GET', '/v1/apps/hello-web')).json as { environments: Array<{ name: string; drift?: unknown }> };
    expect(after.environments.find((e) => e.name === 'prod')?.drift).toBeUndefined();
  }, 60_000);

  it('refuses to deploy over drift when the policy says so', async () => {
    const policy = (await admin.call('GET', '/v1/apps/hello-web/envs/prod/policy')).json as { policy: Record<string, unknown> };
    await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { ...policy.policy, onDrift: 'refuse' });
    try {
      const { id, link } = await releaseAwaitingApproval(stack);
      await setImageOutOfBand('prod', nextImage());
      expect((await vote(link)).status).toBe(200);
      const done = await ci.waitForStatus(id, ['failed', 'succeeded'], 30_000);
      expect(done.status).toBe('failed');
      expect(done.reason).toMatch(/DriftDetected: .*the policy refuses to deploy over drift/);
    } finally {
      await admin.call('PUT', '/v1/apps/hello-web/envs/prod/policy', { ...policy.policy, onDrift: 'proceed' });
    }
  }, 60_000);
});

describe('rollback provenance (defect 9)', () => {
  it('records the commit and approvers of the deployment it restores, not those of the failed release', async () => {
    const good = await releaseAwaitingApproval(stack);
    expect((await vote(good.link)).status).toBe(200);
    await ci.waitForStatus(good.id, ['succeeded'], 30_000);
    const bad = nextImage();
    const created = await ci.startRelease({ app: 'hello-web', image: bad, commit: 'badbadb', author: 'carol@example.com' });
    const badId = String(created.json.id);
    await ci.waitForStatus(badId, ['waiting_for_approval'], 30_000);
    stack.kubernetes.setFailingImages([bad]);
    try {
      await vote(await linkFor(stack, badId, 'bob@example.com'));
      expect((await ci.waitForStatus(badId, ['failed', 'succeeded'], 30_000)).status).toBe('failed');
    } finally {
      stack.kubernetes.setFailingImages([]);
    }
    const [automatic] = await history(stack, 'prod');
    expect(automatic).toMatchObject({ type: 'automatic-rollback', image: good.image, commit: 'abc1234', approvers: ['alice@example.com'] });
  }, 90_000);
});
