import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';

const run = promisify(execFile);
const tsx = join('node_modules', '.bin', 'tsx');

// `npm start` itself, as a user runs it: its contract is PORT, MAILBOX_PORT, GATEKEEPER_CI_TOKEN, .gatekeeper/kubeconfig (contexts eu and us) and .gatekeeper/env.
let child: ChildProcess;
let dataDir: string;
let output = '';
const ports = { PORT: 0, MAILBOX_PORT: 0, DYNAMODB_PORT: 0, SFN_PORT: 0, KUBERNETES_PORT: 0, KUBERNETES_US_PORT: 0, IDP_PORT: 0 };
// `~` and `/` are valid in a bearer token but special to a shell (tilde expansion after `=`): the env file must quote.
const ciToken = `gk_start_test~/${'x'.repeat(30)}`;
const VARIABLES = ['GATEKEEPER_URL', 'CI_TOKEN', 'ADMIN_TOKEN', 'MAILBOX_URL', 'SFN_URL', 'KUBERNETES_URL', 'KUBERNETES_US_URL', 'KUBECONFIG', 'TABLE_NAME', 'DYNAMODB_ENDPOINT', 'IDP_URL'] as const;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatekeeper-start-'));
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  child = spawn(tsx, ['local/start.ts'], {
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), GATEKEEPER_CI_TOKEN: ciToken, GATEKEEPER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 50_000;
  while (!output.includes('Press Ctrl+C to stop')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await rm(dataDir, { recursive: true, force: true });
});

/** What a shell sees after running `script` (bash, as a user's terminal would). */
async function shellVariables(script: string): Promise<Record<string, string>> {
  const printed = VARIABLES.map((name) => `printf '%s=%s\\n' ${name} "$${name}"`).join('; ');
  const { stdout } = await run('bash', ['-c', `${script}\n${printed}`], { env: { PATH: process.env.PATH ?? '' } });
  return Object.fromEntries(stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

it('brings up the stack on the given ports, prints how to start a release, and seeds the given CI token', async () => {
  expect(output).toContain(`http://127.0.0.1:${ports.PORT}`);
  expect(output).toContain(ciToken);
  expect(output).toMatch(/curl -sS -X POST/);
  expect((await fetch(`http://127.0.0.1:${ports.PORT}/healthz`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${ports.MAILBOX_PORT}/store`)).status).toBe(200);
  expect(existsSync(join(dataDir, 'kubeconfig'))).toBe(true);
});

it('runs the dashboard\'s identity provider on IDP_PORT and prints who may sign in, without printing a secret', async () => {
  const discovery = await fetch(`http://127.0.0.1:${ports.IDP_PORT}/.well-known/openid-configuration`);
  expect(discovery.status).toBe(200);
  expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`http://127.0.0.1:${ports.IDP_PORT}`);
  expect(output).toMatch(/dashboard users: admin@example\.com, alice@example\.com, bob@example\.com, carol@example\.com, dave@example\.com, erin@example\.com; password gatekeeper \(local only\)/);
  expect(output).not.toContain((await readFile(join(dataDir, 'session-secret'), 'utf8')).trim());
  expect(output).not.toMatch(/OIDC_CLIENT_SECRET|client_secret/i);
  // A dashboard page sends the browser to sign in.
  const page = await fetch(`http://127.0.0.1:${ports.PORT}/`, { redirect: 'manual' });
  expect(page.status).toBe(302);
  expect(page.headers.get('location')).toBe('/auth/login?returnTo=%2F');
});

it('writes the variables the README uses to <data dir>/env (0600), and prints the same as one export line', async () => {
  const envFile = join(dataDir, 'env');
  expect((await stat(envFile)).mode & 0o777).toBe(0o600);
  const expected = {
    GATEKEEPER_URL: `http://127.0.0.1:${ports.PORT}`,
    CI_TOKEN: ciToken,
    ADMIN_TOKEN: (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim(),
    MAILBOX_URL: `http://127.0.0.1:${ports.MAILBOX_PORT}`,
    SFN_URL: `http://127.0.0.1:${ports.SFN_PORT}`,
    KUBERNETES_URL: `https://127.0.0.1:${ports.KUBERNETES_PORT}`,
    KUBERNETES_US_URL: `https://127.0.0.1:${ports.KUBERNETES_US_PORT}`,
    KUBECONFIG: join(dataDir, 'kubeconfig'),
    TABLE_NAME: 'gatekeeper-local',
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.DYNAMODB_PORT}`,
    IDP_URL: `http://127.0.0.1:${ports.IDP_PORT}`,
  };
  expect(await shellVariables(`source '${envFile}'`)).toEqual(expected);
  const exportLine = output.split('\n').find((line) => line.trim().startsWith('export GATEKEEPER_URL='));
  expect(exportLine).toBeDefined();
  expect(await shellVariables(exportLine ?? '')).toEqual(expected);
  expect(output).toContain(`source ${envFile}`);
});

it('writes a kubeconfig with the clusters eu (current) and us, each holding its demo Deployments, and prints how to reach both', async () => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(join(dataDir, 'kubeconfig'));
  expect(kubeConfig.getContexts().map((context) => context.name)).toEqual(['eu', 'us']);
  expect(kubeConfig.getCurrentContext()).toBe('eu');
  const deployments = async (context: string) => {
    kubeConfig.setCurrentContext(context);
    const { items } = await kubeConfig.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces();
    return items.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}:${d.spec?.template.spec?.containers[0]?.name}`).sort();
  };
  expect(await deployments('eu')).toEqual(['hello-api-prod/hello-api:api', 'hello-api-staging/hello-api:api', 'prod/hello-web:web', 'staging/hello-web:web']);
  expect(await deployments('us')).toEqual(['hello-api-prod/hello-api:api']);
  expect(kubeConfig.getCluster('us')?.server).toBe(`https://127.0.0.1:${ports.KUBERNETES_US_PORT}`);
  expect(kubeConfig.getCluster('eu')?.caData).not.toBe(kubeConfig.getCluster('us')?.caData);
  expect(output).toContain('--context us get deploy -A');
});

it("prints a release curl that uses the variables and sends committedAt (so the demo's lead time is measured)", async () => {
  const curl = output.slice(output.indexOf('curl -sS -X POST'));
  expect(curl).toMatch(/^curl -sS -X POST "\$GATEKEEPER_URL\/v1\/releases" \\\n\s+-H "Authorization: Bearer \$CI_TOKEN"/);
  expect(output).not.toMatch(/Bearer gk_/);
  const body = /-d '(\{.*\})'/.exec(curl)?.[1] ?? '';
  const sent = JSON.parse(body) as { committedAt?: string };
  const created = await fetch(`http://127.0.0.1:${ports.PORT}/v1/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ciToken}`, 'content-type': 'application/json' },
    body,
  });
  expect(created.status).toBe(201);
  const release = (await created.json()) as { committedAt?: string; createdAt: string };
  expect(Date.parse(release.committedAt ?? '')).toBe(Date.parse(sent.committedAt ?? 'missing'));
  const leadSeconds = (Date.parse(release.createdAt) - Date.parse(release.committedAt ?? '')) / 1000;
  expect(leadSeconds).toBeGreaterThan(0);
  expect(leadSeconds).toBeLessThan(3600);
});

it('stops everything it started on Ctrl+C', async () => {
  child.kill('SIGINT');
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  // The servers lived in the process that exited; the one child process it starts is DynamoDB Local.
  // (Other test files run in parallel and may reuse a freed port, so the ports themselves prove nothing.)
  const { stdout } = await run('ps', ['-eo', 'args']);
  expect(stdout).not.toContain(`DynamoDBLocal.jar -port ${ports.DYNAMODB_PORT} `);
}, 20_000);

it('refuses a CI token the API could never accept, in one line naming the variable (exit 2)', async () => {
  // Fresh ports, and SIGINT (a clean stop) after a while: should the check regress, the stack it starts must not outlive the test.
  const fresh = Object.fromEntries(await Promise.all(Object.keys(ports).map(async (key) => [key, String(await freePort())])));
  const env = { ...process.env, ...fresh, GATEKEEPER_CI_TOKEN: `it's a token with spaces ${'x'.repeat(20)}`, GATEKEEPER_DATA_DIR: dataDir };
  const refused = await run(tsx, ['local/start.ts'], { env, timeout: 15_000, killSignal: 'SIGINT' }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
  expect(refused.code).toBe(2);
  expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  expect(refused.stderr).toContain('GATEKEEPER_CI_TOKEN');
}, 20_000);
