import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoAuditReader } from '../../functions/adapters/dynamodb/audit-reader';
import { DynamoCatalogStore } from '../../functions/adapters/dynamodb/catalog-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../../functions/adapters/dynamodb/directory-store';
import { DynamoTokenStore } from '../../functions/adapters/dynamodb/token-store';
import { parsePolicy } from '../../functions/domain/policy';
import { hashToken } from '../../functions/domain/token';
import { DEMO_APPROVERS, demoDirectory, seedDemo } from '../../local/seed';
import { ensureTable } from '../../local/tables';
import { runCli } from '../../scripts/gatekeeper/cli';

const tableName = `gatekeeper-${randomUUID()}`;
const endpoint = () => inject('dynamodbEndpoint');
const db = () => createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint() });
const ACTOR = 'root@example.com';

/** `gatekeeper admin <args>` in this process (fast); `env` replaces the configuration it reads. */
async function admin(args: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['admin', ...args], {
    env: { TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint(), AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', ...env },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    osUser: () => 'Operator',
  });
  return { code, stdout, stderr };
}
const as = (...args: string[]) => admin([...args, '--as', ACTOR]);

/** The real entry point, as `npm run admin` runs it, with nothing configured. */
async function entryWithoutConfig(...args: string[]) {
  const { TABLE_NAME: _table, DYNAMODB_ENDPOINT: _endpoint, GATEKEEPER_ACTOR: _actor, ...env } = process.env;
  return promisify(execFile)(join('node_modules', '.bin', 'tsx'), ['scripts/admin.ts', ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

async function tempFile(content: unknown): Promise<string> {
  const file = join(tmpdir(), `${randomUUID()}.json`);
  await writeFile(file, JSON.stringify(content));
  return file;
}

const auditOf = (app: string) => new DynamoAuditReader(db(), tableName).all(app);

beforeAll(() => ensureTable(endpoint(), tableName));

describe('npm run admin (gatekeeper admin): usage', () => {
  it('prints the usage for --help with no configuration at all, and exits 0', async () => {
    const { code, stdout, stderr } = await entryWithoutConfig('--help');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('Usage: gatekeeper admin [options] [command]');
  });

  it('names TABLE_NAME in one line (and how to set it locally) when a real command has none, exit 1', async () => {
    const { code, stdout, stderr } = await entryWithoutConfig('grant', '--user', 'x@example.com', '--role', 'admin', '--as', ACTOR);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^gatekeeper: TABLE_NAME is not set: .*source \.gatekeeper\/env/);
  });

  it.each([[['--help']], [['help']], [['-h']]])('%j lists the commands, the environment and examples', async (args) => {
    const { code, stdout, stderr } = await admin(args, { TABLE_NAME: undefined });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const text of ['grant [options]', 'token', 'app', '--as <email>', 'GATEKEEPER_ACTOR', 'TABLE_NAME', 'Examples:', 'Exit status:']) expect(stdout).toContain(text);
  });

  it.each([
    [['grant', '--help'], ['--user <email|ci:name>', '--role <role>', '--app <app>', '--env <env>', '--as <email>']],
    [['token', 'create', '--help'], ['--identity <email|ci:name>', '--days <1-366>', '--description <text>']],
    [['app', 'put', '-h'], ['<file.json>', 'registered is refused']],
  ])('%j prints the options of the command', async (args, texts) => {
    const { code, stdout } = await admin(args, { TABLE_NAME: undefined });
    expect(code).toBe(0);
    for (const text of texts) expect(stdout).toContain(text);
  });

  it.each([
    [['deploy'], "unknown command 'deploy'"],
    [['token', 'delete'], "unknown command 'delete'"],
    [['grant', '--user', 'x@example.com', '--role', 'admin', '--frobnicate'], "unknown option '--frobnicate'"],
    [['grant', '--user', 'x@example.com', '--role', 'overlord'], '--role must be one of admin, deployer'],
    [['grant', '--role', 'admin'], "required option '--user <email|ci:name>' not specified"],
    [['grant', '--user', 'not an email', '--role', 'admin'], '--user must be an email or ci:<name>'],
    [['grant', '--user', 'x@example.com', '--role', 'admin', '--app', 'Bad_Name'], '--app must be'],
    [['token', 'create'], "required option '--identity <email|ci:name>' not specified"],
    [['token', 'create', '--identity', 'ci:bot', '--days', 'abc'], '--days must be a whole number from 1 to 366'],
    [['token', 'create', '--identity', 'ci:bot', '--days', '0'], '--days must be a whole number from 1 to 366'],
    [['app', 'put'], "missing required argument 'file.json'"],
    [['app', 'put', 'a.json', 'b.json'], "too many arguments for 'put'"],
    [['grant', '--user', 'x@example.com', '--role', 'admin', '--as', 'someone'], '--as must be an email'],
  ])('%j is a usage error: %s, exit 1, nothing written', async (args, message) => {
    const before = (await new DynamoDirectoryStore(db(), tableName).get()).version;
    const { code, stdout, stderr } = await admin(args);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect((await new DynamoDirectoryStore(db(), tableName).get()).version).toBe(before);
  });

  it('explains a missing table instead of printing a stack trace (exit 1)', async () => {
    const { code, stderr } = await admin(['grant', '--user', 'x@example.com', '--role', 'viewer', '--as', ACTOR], { TABLE_NAME: 'no-such-table' });
    expect(code).toBe(1);
    expect(stderr).toContain('no-such-table');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('--json prints what was done as one object', async () => {
    const { code, stdout } = await admin(['token', 'create', '--identity', 'ci:json-bot', '--as', ACTOR, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ identity: 'ci:json-bot', type: 'ci', expiresAt: null, token: expect.stringMatching(/^gk_/) });
  });
});

describe('npm run admin: who acts', () => {
  it('names --as in the audit trail of every write', async () => {
    expect((await as('grant', '--user', 'Viewer@Example.com', '--role', 'viewer')).code).toBe(0);
    expect((await as('token', 'create', '--identity', 'ci:audited-bot')).code).toBe(0);
    const file = await tempFile({ name: 'audited-app', environments: (await exampleApp()).environments });
    expect((await as('app', 'put', file)).code).toBe(0);
    const events = [...(await auditOf('*')), ...(await auditOf('audited-app'))];
    for (const action of ['directory.changed', 'token.created', 'app.registered']) {
      expect(events.filter((e) => e.action === action).map((e) => e.actor)).toContain(ACTOR);
    }
    expect(events.map((e) => e.actor)).not.toContain('cli:unknown');
  });

  it('takes the actor from GATEKEEPER_ACTOR', async () => {
    const { code, stderr } = await admin(['grant', '--user', 'env-actor@example.com', '--role', 'viewer'], { GATEKEEPER_ACTOR: 'Ops@Example.com' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect((await auditOf('*')).at(-1)).toMatchObject({ actor: 'ops@example.com', action: 'directory.changed' });
  });

  it('falls back to cli:<OS user> only with a warning', async () => {
    const { code, stderr } = await admin(['grant', '--user', 'fallback@example.com', '--role', 'viewer']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: .*cli:operator.*--as <email>/);
    expect((await auditOf('*')).at(-1)).toMatchObject({ actor: 'cli:operator' });
  });
});

describe('npm run admin: commands', () => {
  it('bootstraps an admin: a grant on everything, once', async () => {
    const { stdout } = await as('grant', '--user', 'Root@Example.com', '--role', 'admin');
    expect(stdout).toMatch(/granted admin on \*\/\* to root@example.com/);
    const again = await as('grant', '--user', 'root@example.com', '--role', 'admin');
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('already has admin on */*') });
    const grants = (await new DynamoDirectoryStore(db(), tableName).get()).grants.filter((g) => 'user' in g.subject && g.subject.user === 'root@example.com');
    expect(grants).toHaveLength(1);
  });

  it('registers a new app from a file', async () => {
    const { code, stdout } = await as('app', 'put', 'examples/hello-web.app.json');
    expect(code).toBe(0);
    expect(stdout).toContain('registered hello-web: staging (0 approval(s)) → prod (1 approval(s))');
    const app = await new DynamoCatalogStore(db(), tableName).getApp('hello-web');
    expect(app?.environments.map((e) => [e.name, e.order, e.policy.required])).toEqual([
      ['staging', 0, 0],
      ['prod', 1, 1],
    ]);
  });

  it('refuses to replace an existing app and points to the policy endpoint (exit 1, nothing changed)', async () => {
    const example = await exampleApp();
    const stricter = { ...example, environments: [example.environments[0], { ...example.environments[1], policy: { required: 2 } }] };
    const { code, stdout, stderr } = await as('app', 'put', await tempFile(stricter));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('hello-web is already registered');
    expect(stderr).toContain('/v1/apps/hello-web/envs/<env>/policy');
    const prod = await new DynamoCatalogStore(db(), tableName).getEnvironment('hello-web', 'prod');
    expect(prod?.policy.required).toBe(1);
  });

  it('refuses an invalid or unreadable app file and says why (exit 1)', async () => {
    const invalid = await admin(['app', 'put', await tempFile({ name: 'other-app', environments: [] }), '--as', ACTOR]);
    expect(invalid).toMatchObject({ code: 1, stderr: expect.stringContaining('environments: an app needs at least one environment') });
    const missing = await as('app', 'put', 'examples/no-such-file.json');
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('examples/no-such-file.json') });
  });

  it('creates a CI token, prints it once and stores only its hash', async () => {
    const { stdout } = await as('token', 'create', '--identity', 'ci:deploy-bot', '--days', '30', '--description', 'deploys');
    const token = stdout.trim().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^gk_[\w-]{43}$/);
    const stored = await new DynamoTokenStore(db(), tableName).find(hashToken(token));
    expect(stored).toMatchObject({ identity: 'ci:deploy-bot', type: 'ci', hash: hashToken(token), expiresAt: expect.any(String), createdBy: ACTOR, description: 'deploys' });
    expect(JSON.stringify(stored)).not.toContain(token);
  });
});

describe('examples', () => {
  it('hello-web.app.json is exactly the app the local demo seeds', async () => {
    const seeded = `gatekeeper-${randomUUID()}`;
    await ensureTable(endpoint(), seeded);
    await seedDemo(endpoint(), seeded, { ciToken: `gk_${'c'.repeat(43)}`, adminToken: `gk_${'a'.repeat(43)}`, approvalTimeoutSeconds: 86_400 });
    const registered = `gatekeeper-${randomUUID()}`;
    await ensureTable(endpoint(), registered);
    expect((await admin(['app', 'put', 'examples/hello-web.app.json', '--as', ACTOR], { TABLE_NAME: registered })).code).toBe(0);
    // What each environment runs is state, not definition: the seed records the initial image, registering records nothing.
    const definition = async (table: string) =>
      (await new DynamoCatalogStore(db(), table).getApp('hello-web'))?.environments.map(({ current: _current, ...env }) => env);
    expect(await definition(registered)).toEqual(await definition(seeded));
  });

  it('hello-web.prod-policy.json is a valid policy the demo release managers can satisfy', async () => {
    const policy = parsePolicy(JSON.parse(await readFile('examples/hello-web.prod-policy.json', 'utf8')));
    const managers = demoDirectory().groups['release-managers'] ?? [];
    expect(managers).toEqual(DEMO_APPROVERS);
    expect(policy.required).toBeGreaterThan(1);
    for (const rule of policy.rules) expect(demoDirectory().groups[rule.group]?.length ?? 0).toBeGreaterThanOrEqual(rule.min);
    expect(policy.required).toBeLessThanOrEqual(managers.length);
  });
});

async function exampleApp(): Promise<{ name: string; environments: Array<Record<string, unknown>> }> {
  return JSON.parse(await readFile('examples/hello-web.app.json', 'utf8')) as { name: string; environments: Array<Record<string, unknown>> };
}
