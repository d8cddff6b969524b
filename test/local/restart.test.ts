import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stablePort } from '../support/stable-port';
import { approvalLink, imageFor, linkClaim, type ReleaseJson, type StoredEmail } from '../support/clients';

// Issue 8, defect 8: `npm start` killed with SIGKILL (the whole process group, DynamoDB Local included)
// while a release waits for approval, then started again on the same data folder.
let dataDir: string;
let child: ChildProcess | undefined;
const ports = { PORT: 0, MAILBOX_PORT: 0, DYNAMODB_PORT: 0, SFN_PORT: 0, KUBERNETES_PORT: 0, KUBERNETES_US_PORT: 0 };
const ciToken = `gk_restart_test_${'y'.repeat(30)}`;
const base = () => `http://127.0.0.1:${ports.PORT}`;

async function start(): Promise<ChildProcess> {
  let output = '';
  // Its own process group, so SIGKILL takes DynamoDB Local with it, as killing a terminal would.
  const started = spawn(join('node_modules', '.bin', 'tsx'), ['local/start.ts'], {
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), GATEKEEPER_CI_TOKEN: ciToken, GATEKEEPER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Press Ctrl+C to stop')) {
    if (Date.now() > deadline || started.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return started;
}

function killGroup(process_: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise<void>((resolve) => process_.once('exit', () => resolve()));
  process.kill(-process_.pid!, signal);
  return exited;
}

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(base() + path, {
    method,
    headers: { authorization: `Bearer ${ciToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

async function waitForStatus(id: string, statuses: string[]): Promise<ReleaseJson> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const release = (await call('GET', `/v1/releases/${id}`)).json as unknown as ReleaseJson;
    if (statuses.includes(release.status)) return release;
    if (Date.now() > deadline) throw new Error(`release ${id} is ${release.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function linkFor(id: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { emails } = (await (await fetch(`http://127.0.0.1:${ports.MAILBOX_PORT}/store`)).json()) as { emails: StoredEmail[] };
    const email = emails.find((e) => e.destination.to.includes('alice@example.com') && (e.body.text ?? '').includes('/approve/') && decodes(e, id));
    if (email) return approvalLink(email);
    if (Date.now() > deadline) throw new Error(`no link for ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The us cluster's hello-api Deployment, through the context `us` of the kubeconfig npm start writes. */
function usHelloApi() {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(join(dataDir, 'kubeconfig'));
  kubeConfig.setCurrentContext('us');
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const ref = { name: 'hello-api', namespace: 'hello-api-prod' };
  return {
    image: async () => (await apps.readNamespacedDeployment(ref)).spec?.template.spec?.containers[0]?.image,
    setImage: async (image: string) => {
      const deployment = await apps.readNamespacedDeployment(ref);
      deployment.spec!.template.spec!.containers[0]!.image = image;
      await apps.replaceNamespacedDeployment({ ...ref, body: deployment });
    },
  };
}

const decodes = (email: StoredEmail, id: string) => linkClaim(email).r === id;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatekeeper-restart-'));
  // Given up by the SIGKILL and taken again by the restart: never ports another test could be handed meanwhile.
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await stablePort();
  child = await start();
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) await killGroup(child, 'SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
});

it('approves after a SIGKILL and restart a release that was waiting before, and keeps every history', async () => {
  const finished = await call('POST', '/v1/releases', { app: 'hello-web', image: imageFor('restart-1'), author: 'carol@example.com' });
  const finishedId = String(finished.json.id);
  await waitForStatus(finishedId, ['waiting_for_approval']);
  await fetch(await linkFor(finishedId), { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
  await waitForStatus(finishedId, ['succeeded']);

  const created = await call('POST', '/v1/releases', { app: 'hello-web', image: imageFor('restart-2'), author: 'carol@example.com' });
  const id = String(created.json.id);
  await waitForStatus(id, ['waiting_for_approval']);
  const link = await linkFor(id);
  // The us cluster keeps its state (its own file under the data folder) as the eu cluster does.
  await usHelloApi().setImage(imageFor('restart-us'));

  await killGroup(child!, 'SIGKILL');
  child = await start();
  expect(await usHelloApi().image()).toBe(imageFor('restart-us'));

  expect((await waitForStatus(id, ['waiting_for_approval', 'failed'])).status).toBe('waiting_for_approval');
  const decided = await fetch(link, { method: 'POST', body: new URLSearchParams({ decision: 'approve' }), headers: { accept: 'application/json' } });
  expect(decided.status).toBe(200);
  expect((await waitForStatus(id, ['succeeded', 'failed'])).status).toBe('succeeded');
  for (const release of [finishedId, id]) {
    const history = await call('GET', `/v1/releases/${release}/history`);
    expect(history.status).toBe(200);
    // One execution per environment, each with its whole history across the restart.
    const executions = history.json.executions as Array<{ environment: string; events: unknown[] }>;
    expect(executions.map((e) => e.environment)).toEqual(['staging', 'prod']);
    for (const execution of executions) expect(execution.events.length).toBeGreaterThan(10);
  }
}, 180_000);
