/**
 * `npm start`: the whole Gatekeeper stack on this machine, seeded with a demo
 * app, on emulators that speak the AWS and Kubernetes wire protocols.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { LOCAL_PASSWORD } from './idp';
import { DEMO_ADMIN, DEMO_APP, DEMO_APPROVERS, DEMO_CI_IDENTITY } from './seed';
import { startLocalStack } from './stack';

// 0 picks a free port (a second stack beside a running one, tests); the env file and banner say which.
const port = z.coerce.number().int().min(0).max(65535);
const parsed = z
  .object({
    PORT: port.default(3000),
    MAILBOX_PORT: port.default(8005),
    DYNAMODB_PORT: port.default(8006),
    SFN_PORT: port.default(8083),
    KUBERNETES_PORT: port.default(6443),
    KUBERNETES_US_PORT: port.default(6444),
    IDP_PORT: port.default(8007),
    // What the API accepts after "Bearer " (an RFC 6750 b64token): any other token would be seeded but could never authenticate.
    GATEKEEPER_CI_TOKEN: z
      .string()
      .min(20, 'must be at least 20 characters')
      .max(512, 'must be at most 512 characters')
      .regex(/^[A-Za-z0-9._~+/-]+=*$/, 'may hold only letters, digits and . _ ~ + / - (then = padding), as a bearer token')
      .optional(),
    GATEKEEPER_DATA_DIR: z.string().default('.gatekeeper'),
    APPROVAL_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(24 * 3600),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .safeParse(process.env);
if (!parsed.success) {
  // One line naming the variable, not a stack trace: these are the user's settings.
  console.error(`npm start: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  process.exit(2);
}
const settings = parsed.data;
const TABLE_NAME = 'gatekeeper-local';

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
// Kept like the link key, so a restart does not sign everyone out of the dashboard.
const sessionSecret = await persistent('session-secret', () => randomBytes(48).toString('base64url'));

const stack = await startLocalStack({
  dataDir,
  persist: true,
  ports: { api: settings.PORT, mailbox: settings.MAILBOX_PORT, dynamodb: settings.DYNAMODB_PORT, sfn: settings.SFN_PORT, kubernetes: settings.KUBERNETES_PORT, kubernetesUs: settings.KUBERNETES_US_PORT, idp: settings.IDP_PORT },
  tableName: TABLE_NAME,
  ciToken,
  adminToken,
  signingSecret,
  sessionSecret,
  approvalTimeoutSeconds: settings.APPROVAL_TIMEOUT_SECONDS,
  // Slow enough to watch a rollout happen, fast enough not to wait for it.
  rollout: { delayMs: 1500, progressDeadlineMs: 10_000, timeoutSeconds: 60, pollMs: 500 },
  kubernetesTls: true,
  logLevel: settings.LOG_LEVEL,
  log: (line) => console.log(line),
});

/** POSIX shell quoting, only where needed: bash tilde-expands `~` after `=`, and paths may hold spaces. */
const shellWord = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);
/** Paths as a person would type them: relative when under the current folder. */
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return shellWord(fromHere !== '' && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path);
}

/**
 * The variables the README's recipes use. Written on every start (ports can
 * change) next to the tokens, private like them, so another terminal can
 * `source .gatekeeper/env`. TABLE_NAME and DYNAMODB_ENDPOINT point `npm run admin` here.
 */
const variables = {
  GATEKEEPER_URL: stack.apiUrl,
  // What `npx gatekeeper` reads: the demo CI pipeline's token, so `gatekeeper release` works as it would in CI.
  GATEKEEPER_TOKEN: ciToken,
  CI_TOKEN: ciToken,
  ADMIN_TOKEN: adminToken,
  MAILBOX_URL: stack.mailboxUrl,
  SFN_URL: stack.sfnUrl,
  KUBERNETES_URL: stack.kubernetesUrl,
  KUBERNETES_US_URL: stack.clusters.us.url,
  KUBECONFIG: stack.kubeconfigPath,
  TABLE_NAME,
  DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
  IDP_URL: stack.idpUrl,
};
const assignments = Object.entries(variables).map(([name, value]) => `${name}=${shellWord(value)}`);
const envFile = join(dataDir, 'env');
await writeFile(envFile, `# Written by npm start; holds tokens, keep it private. Use: source ${shown(envFile)}\n${assignments.map((a) => `export ${a}`).join('\n')}\n`, { mode: 0o600 });
// writeFile's mode applies only when it creates the file.
await chmod(envFile, 0o600);

// As CI would send it (`git show -s --format=%cI`): without it the DORA lead time of the demo stays empty.
const committedAt = new Date(Date.now() - 20 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const body = JSON.stringify({
  app: DEMO_APP,
  image: `registry.example.com/${DEMO_APP}@sha256:${randomBytes(32).toString('hex')}`,
  commit: randomBytes(20).toString('hex'),
  committedAt,
  author: 'carol@example.com',
  labels: ['demo'],
  comment: 'First release from the local stack',
});
console.log(`
Gatekeeper is running locally.

  API                 ${stack.apiUrl}            (GET /healthz)
  Mailbox (SES)       ${stack.mailboxUrl}            (approval emails; JSON at /store)
  Step Functions      ${stack.sfnUrl}            (AWS JSON protocol: aws stepfunctions … --endpoint-url "$SFN_URL")
  DynamoDB Local      ${stack.dynamodbEndpoint}            (table ${TABLE_NAME})
  Kubernetes eu       ${stack.kubernetesUrl}           cluster "eu", the current context: kubectl --kubeconfig ${shown(stack.kubeconfigPath)} get deploy -A
  Kubernetes us       ${stack.clusters.us.url}           cluster "us": kubectl --kubeconfig ${shown(stack.kubeconfigPath)} --context us get deploy -A
  Identity provider   ${stack.idpUrl}            (dashboard sign-in: OpenID Connect, oidc-provider)
  Data                ${dataDir}

  Demo app "${DEMO_APP}": staging deploys at once, prod needs 1 approval from a release manager (${DEMO_APPROVERS.join(' or ')}).
  CI token            $CI_TOKEN        ${DEMO_CI_IDENTITY}, deployer
  Admin token         $ADMIN_TOKEN     ${DEMO_ADMIN}: policies, groups, grants, tokens
  Dashboard           ${stack.apiUrl}/            sign in as one of the dashboard users
  dashboard users: ${stack.idp.users.map((user) => user.email).join(', ')}; password ${LOCAL_PASSWORD} (local only)

The README's commands use these variables. In another terminal run

  source ${shown(envFile)}

or paste (the tokens are this local demo's own, generated for it; nothing else accepts them)

  export ${assignments.join(' ')}

Start a release and follow it (then open the mailbox and follow an approver's link):

  npx gatekeeper release --app ${DEMO_APP} --image registry.example.com/${DEMO_APP}@sha256:$(openssl rand -hex 32) \\
    --commit $(openssl rand -hex 20) --committed-at ${committedAt} --author carol@example.com --wait

or with curl:

  curl -sS -X POST "$GATEKEEPER_URL/v1/releases" \\
    -H "Authorization: Bearer $CI_TOKEN" -H 'Content-Type: application/json' \\
    -d '${body}'

Follow it:  curl -sS "$GATEKEEPER_URL/v1/releases/<id>" -H "Authorization: Bearer $CI_TOKEN"
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
