import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoCatalogStore } from '../../functions/adapters/dynamodb/catalog-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { hashToken } from '../../functions/domain/token';
import { ensureTable } from '../../local/tables';

const run = promisify(execFile);
const tableName = `gatekeeper-${randomUUID()}`;
const admin = (...args: string[]) =>
  run(join('node_modules', '.bin', 'tsx'), ['scripts/admin.ts', ...args], {
    env: { ...process.env, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') },
  });
const catalog = () => new DynamoCatalogStore(createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') }), tableName);

beforeAll(() => ensureTable(inject('dynamodbEndpoint'), tableName));

describe('npm run admin', () => {
  it('registers an app from a file', async () => {
    const { stdout } = await admin('app', 'put', 'examples/hello-web.app.json');
    expect(stdout).toContain('registered hello-web: staging (0 approval(s)) → prod (1 approval(s))');
    const app = await catalog().getApp('hello-web');
    expect(app?.environments.map((e) => [e.name, e.order, e.approvalTimeoutSeconds])).toEqual([
      ['staging', 0, 259200],
      ['prod', 1, 259200],
    ]);
  });

  it('refuses an invalid app file and says why', async () => {
    const file = join(tmpdir(), `${randomUUID()}.json`);
    await writeFile(file, JSON.stringify({ name: 'Bad Name', environments: [] }));
    await expect(admin('app', 'put', file)).rejects.toMatchObject({ stderr: expect.stringContaining('name:') });
  });

  it('creates a CI token, prints it once and stores only its hash', async () => {
    const { stdout } = await admin('token', 'create', '--identity', 'ci:deploy-bot', '--days', '30');
    const token = stdout.trim().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^gk_[\w-]{43}$/);
    const stored = await catalog().findToken(hashToken(token));
    expect(stored).toMatchObject({ identity: 'ci:deploy-bot', hash: hashToken(token) });
    expect(JSON.stringify(stored)).not.toContain(token);
  });
});
