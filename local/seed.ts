import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DynamoCatalogWriter } from '../functions/adapters/dynamodb/catalog-writer';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../functions/adapters/dynamodb/directory-store';
import { DynamoTokenStore } from '../functions/adapters/dynamodb/token-store';
import { appDefinitionSchema, toApp } from '../functions/api/app-definition';
import type { AuditAction, AuditEvent } from '../functions/domain/audit';
import type { Directory } from '../functions/domain/authorization';
import type { App } from '../functions/domain/catalog';
import { hashToken, tokenRecord } from '../functions/domain/token';
import { HELLO_API, HELLO_API_INITIAL_IMAGE } from './demo-workloads';

export const DEMO_APP = 'hello-web';
export const DEMO_APPROVERS = ['alice@example.com', 'bob@example.com'];
export const DEMO_ADMIN = 'admin@example.com';
export const DEMO_CI_IDENTITY = 'ci:hello-web-pipeline';
/** What both demo environments run before the first release. */
export const DEMO_INITIAL_IMAGE = `registry.example.com/hello-web@sha256:${'0'.repeat(63)}1`;

export interface DemoSeed {
  ciToken: string;
  adminToken: string;
  approvalTimeoutSeconds: number;
}

/**
 * The files `npm run admin -- app put` takes, so what the README tells people
 * to register and what the demo runs cannot drift apart.
 */
export const DEMO_APP_FILE = new URL('../examples/hello-web.app.json', import.meta.url);
export const HELLO_API_FILE = new URL('../examples/hello-api.app.json', import.meta.url);

/**
 * The demo apps. hello-web (examples/hello-web.app.json): staging deploys at
 * once, prod needs one approval. hello-api (examples/hello-api.app.json):
 * staging (with a post-deployment smoke-test job) then prod-eu and prod-us in
 * parallel, each needing one approval. The release managers hold the grants.
 * Approval timeouts are the stack's setting (APPROVAL_TIMEOUT_SECONDS, default
 * the files' 24 h).
 */
export async function demoApps(seed: Pick<DemoSeed, 'approvalTimeoutSeconds'>, at: string): Promise<App[]> {
  return [await demoApp(DEMO_APP_FILE, DEMO_APP, DEMO_INITIAL_IMAGE, seed, at), await demoApp(HELLO_API_FILE, HELLO_API, HELLO_API_INITIAL_IMAGE, seed, at)];
}

async function demoApp(file: URL, expected: string, image: string, seed: Pick<DemoSeed, 'approvalTimeoutSeconds'>, at: string): Promise<App> {
  const { name, ...definition } = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const app = toApp(String(name), appDefinitionSchema.parse(definition));
  if (app.name !== expected) throw new Error(`${file.pathname} must define "${expected}", not "${app.name}"`);
  const current = { image, deployedAt: at };
  return {
    ...app,
    environments: app.environments.map((env) => ({ ...env, current, ...(env.policy.required > 0 ? { policy: { ...env.policy, timeoutSeconds: seed.approvalTimeoutSeconds } } : {}) })),
  };
}

/**
 * Who may do what in the demo: an admin; the CI pipeline and carol deploy;
 * the release managers (alice, bob) approve images into prod; dave approves
 * prod configuration; erin only looks.
 */
export function demoDirectory(): Directory {
  const grant = (id: string, subject: Directory['grants'][number]['subject'], role: Directory['grants'][number]['role'], app: string, environment: string) => ({ id, subject, role, app, environment });
  return {
    groups: { 'release-managers': [...DEMO_APPROVERS] },
    grants: [
      grant('grant-admin', { user: DEMO_ADMIN }, 'admin', '*', '*'),
      grant('grant-ci', { user: DEMO_CI_IDENTITY }, 'deployer', DEMO_APP, '*'),
      grant('grant-carol', { user: 'carol@example.com' }, 'deployer', DEMO_APP, '*'),
      grant('grant-release-managers', { group: 'release-managers' }, 'image-approver', DEMO_APP, 'prod'),
      grant('grant-dave', { user: 'dave@example.com' }, 'config-approver', DEMO_APP, 'prod'),
      grant('grant-erin', { user: 'erin@example.com' }, 'viewer', DEMO_APP, '*'),
      grant('grant-ci-api', { user: DEMO_CI_IDENTITY }, 'deployer', HELLO_API, '*'),
      grant('grant-carol-api', { user: 'carol@example.com' }, 'deployer', HELLO_API, '*'),
      grant('grant-release-managers-api-eu', { group: 'release-managers' }, 'image-approver', HELLO_API, 'prod-eu'),
      grant('grant-release-managers-api-us', { group: 'release-managers' }, 'image-approver', HELLO_API, 'prod-us'),
      grant('grant-erin-api', { user: 'erin@example.com' }, 'viewer', HELLO_API, '*'),
    ],
  };
}

/**
 * Writes the demo app, who may do what, and the CI and admin tokens. Re-running
 * keeps an existing app (and what its environments run) and directory, and
 * re-registers the tokens.
 */
export async function seedDemo(endpoint: string, tableName: string, seed: DemoSeed): Promise<void> {
  const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint });
  const at = new Date().toISOString();
  const audit = (action: AuditAction, subject: string): AuditEvent => ({ id: randomUUID(), app: DEMO_APP, actor: 'system:local-seed', action, subject, at });
  try {
    const catalog = new DynamoCatalogWriter(db, tableName);
    for (const app of await demoApps(seed, at)) await catalog.putApp(app, { ...audit('app.registered', `app/${app.name}`), app: app.name }, { keepExisting: true });
    const directory = new DynamoDirectoryStore(db, tableName);
    const stored = await directory.get();
    // A directory from an older demo gets the grants it lacks (by id); what someone changed stays.
    const missing = demoDirectory().grants.filter((g) => !stored.grants.some((s) => s.id === g.id));
    if (stored.version === 0) await directory.save(demoDirectory(), 0, audit('directory.changed', 'directory'));
    else if (missing.length > 0) await directory.save({ ...stored, grants: [...stored.grants, ...missing] }, stored.version, audit('directory.changed', 'directory'));
    const tokens = new DynamoTokenStore(db, tableName);
    const seeded: Array<[string, string, 'ci' | 'personal']> = [
      [seed.ciToken, DEMO_CI_IDENTITY, 'ci'],
      [seed.adminToken, DEMO_ADMIN, 'personal'],
    ];
    for (const [secret, identity, type] of seeded) {
      if (await tokens.find(hashToken(secret))) continue;
      await tokens.create(tokenRecord(secret, { identity, type, description: 'seeded by npm start', createdAt: at, createdBy: 'system:local-seed' }), audit('token.created', `token/${identity}`));
    }
  } finally {
    db.destroy();
  }
}
