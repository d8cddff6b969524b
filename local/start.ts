/**
 * `npm start`: the whole Gatekeeper stack on this machine, seeded with a demo
 * app, on emulators that speak the AWS and Kubernetes wire protocols.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEMO_ADMIN, DEMO_APP, DEMO_APPROVERS } from './seed';
import { startLocalStack } from './stack';

const settings = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    MAILBOX_PORT: z.coerce.number().int().min(1).max(65535).default(8005),
    DYNAMODB_PORT: z.coerce.number().int().min(1).max(65535).default(8006),
    SFN_PORT: z.coerce.number().int().min(1).max(65535).default(8083),
    KUBERNETES_PORT: z.coerce.number().int().min(1).max(65535).default(6443),
    GATEKEEPER_CI_TOKEN: z.string().min(20, 'GATEKEEPER_CI_TOKEN must be at least 20 characters').optional(),
    GATEKEEPER_DATA_DIR: z.string().default('.gatekeeper'),
    APPROVAL_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .parse(process.env);

// The emulators accept any credentials; the AWS SDK only needs something to sign with.
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

const dataDir = resolve(settings.GATEKEEPER_DATA_DIR);
await mkdir(dataDir, { recursive: true, mode: 0o700 });

/** A value generated once and kept in the data folder, so restarts keep links and tokens valid. */
async function persistent(file: string, generate: () => string): Promise<string> {
  const path = join(dataDir, file);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const value = generate();
    await writeFile(path, `${value}\n`, { mode: 0o600 });
    return value;
  }
}

const ciToken = settings.GATEKEEPER_CI_TOKEN ?? (await persistent('ci-token', () => `gk_${randomBytes(32).toString('base64url')}`));
const adminToken = await persistent('admin-token', () => `gk_${randomBytes(32).toString('base64url')}`);
const signingSecret = await persistent('signing-secret', () => randomBytes(48).toString('base64url'));

const stack = await startLocalStack({
  dataDir,
  persist: true,
  ports: { api: settings.PORT, mailbox: settings.MAILBOX_PORT, dynamodb: settings.DYNAMODB_PORT, sfn: settings.SFN_PORT, kubernetes: settings.KUBERNETES_PORT },
  tableName: 'gatekeeper-local',
  ciToken,
  adminToken,
  signingSecret,
  approvalTimeoutSeconds: settings.APPROVAL_TIMEOUT_SECONDS,
  // Slow enough to watch a rollout happen, fast enough not to wait for it.
  rollout: { delayMs: 1500, progressDeadlineMs: 10_000, timeoutSeconds: 60, pollMs: 500 },
  kubernetesTls: true,
  logLevel: settings.LOG_LEVEL,
  log: (line) => console.log(line),
});

const demoDigest = `sha256:${randomBytes(32).toString('hex')}`;
const body = JSON.stringify({
  app: DEMO_APP,
  image: `registry.example.com/${DEMO_APP}@${demoDigest}`,
  commit: randomBytes(20).toString('hex'),
  author: 'carol@example.com',
  labels: ['demo'],
  comment: 'First release from the local stack',
});
console.log(`
Gatekeeper is running locally.

  API                 ${stack.apiUrl}            (GET /healthz)
  Mailbox (SES)       ${stack.mailboxUrl}            (approval emails; JSON at /store)
  Step Functions      ${stack.sfnUrl}            (AWS JSON protocol; use the AWS CLI/SDK with --endpoint-url)
  DynamoDB Local      ${stack.dynamodbEndpoint}
  Kubernetes (sim.)   ${stack.kubernetesUrl}           kubectl --kubeconfig ${stack.kubeconfigPath} get deployments -A
  Data                ${dataDir}

  Demo app "${DEMO_APP}": staging deploys at once, prod needs 1 approval from a release manager (${DEMO_APPROVERS.join(' or ')}).
  CI token            ${ciToken}      (ci:hello-web-pipeline, deployer)
  Admin token         ${adminToken}      (${DEMO_ADMIN}: policies, groups, grants, tokens)

Start a release (then open the mailbox and follow an approver's link):

  curl -sS -X POST ${stack.apiUrl}/v1/releases \\
    -H 'Authorization: Bearer ${ciToken}' -H 'Content-Type: application/json' \\
    -d '${body}'

Follow it:  curl -sS ${stack.apiUrl}/v1/releases/<id> -H 'Authorization: Bearer ${ciToken}'
Make an image fail its rollout: put "fail-rollout" in its repository name (see README).
Press Ctrl+C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping Gatekeeper…');
    void stack.close().then(() => process.exit(0));
  });
}
