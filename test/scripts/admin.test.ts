import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoCatalogStore } from '../../functions/adapters/dynamodb/catalog-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoTokenStore } from '../../functions/adapters/dynamodb/token-store';
import { hashToken } from '../../functions/domain/token';
import { ensureTable } from '../../local/tables';

const run = promisify(execFile);
const tableName = `gatekeeper-${randomUUID()}`;
const admin = (...args: string[]) =>
  run(join('node_modules', '.bin', 'tsx'), ['scripts/admin.ts', ...args], {
    env: { ...process.env, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') },
  });
const db = () => createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') });
const catalog = () => new DynamoCatalogStore(db(), tableName);
const tokens = () => new DynamoTokenStore(db(), tableName);

beforeAll(() => ensureTable(inject('dynamodbEndpoint'), tableName));

describe('npm run admin', () => {
  it('bootstraps an admin: a grant on everything', async () => {
    const { stdout } = await admin('grant', '--user', 'Root@Example.com', '--role', 'admin');
    expect(stdout).toMatch(/granted admin on \*\/\* to root@example.com/);
    await expect(admin('grant', '--user', 'x@example.com', '--role', 'overlord')).rejects.toMatchObject({ stderr: expect.stringContaining('--role') });
  });

  it('registers an app from a file', async () => {
    const { stdout } = await admin('app', 'put', 'examples/hello-web.app.json');
    expect(stdout).toContain('registered hello-web: staging (0 approval(s)) → prod (2 approval(s))');
    const app = await catalog().getApp('hello-web');
    expect(app?.environments.map((e) => [e.name, e.order, e.policy.required, e.policy.rules.length])).toEqual([
      ['staging', 0, 0, 0],
      ['prod', 1, 2, 2],
    ]);
  });

  it('refuses an invalid app file and says why', async () => {
    const file = join(tmpdir(), `${randomUUID()}.json`);
    await writeFile(file, JSON.stringify({ name: 'hello-web', environments: [] }));
    await expect(admin('app', 'put', file)).rejects.toMatchObject({ stderr: expect.stringContaining('exactly two environments') });
  });

  it('creates a CI token, prints it once and stores only its hash', async () => {
    const { stdout } = await admin('token', 'create', '--identity', 'ci:deploy-bot', '--days', '30');
    const token = stdout.trim().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^gk_[\w-]{43}$/);
    const stored = await tokens().find(hashToken(token));
    expect(stored).toMatchObject({ identity: 'ci:deploy-bot', type: 'ci', hash: hashToken(token), expiresAt: expect.any(String) });
    expect(JSON.stringify(stored)).not.toContain(token);
  });
});
