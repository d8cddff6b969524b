import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../local/free-port';
import { imageFor } from '../support/clients';

const run = promisify(execFile);

// `npm start` itself, as a user runs it: its contract is PORT, MAILBOX_PORT, GATEKEEPER_CI_TOKEN and .gatekeeper/kubeconfig.
let child: ChildProcess;
let dataDir: string;
let output = '';
const ports = { PORT: 0, MAILBOX_PORT: 0, DYNAMODB_PORT: 0, SFN_PORT: 0, KUBERNETES_PORT: 0 };
const ciToken = `gk_start_test_${'x'.repeat(30)}`;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gatekeeper-start-'));
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  child = spawn(join('node_modules', '.bin', 'tsx'), ['local/start.ts'], {
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

it('brings up the stack on the given ports, prints how to start a release, and seeds the given CI token', async () => {
  expect(output).toContain(`http://127.0.0.1:${ports.PORT}`);
  expect(output).toContain(ciToken);
  expect(output).toMatch(/curl -sS -X POST/);
  expect((await fetch(`http://127.0.0.1:${ports.PORT}/healthz`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${ports.MAILBOX_PORT}/store`)).status).toBe(200);
  expect(existsSync(join(dataDir, 'kubeconfig'))).toBe(true);
  const created = await fetch(`http://127.0.0.1:${ports.PORT}/v1/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ciToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ app: 'hello-web', image: imageFor('npm-start') }),
  });
  expect(created.status).toBe(201);
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
