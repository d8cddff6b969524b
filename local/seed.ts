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
 * The file `npm run admin -- app put` takes, so what the README tells people to
 * register and what the demo runs cannot drift apart.
 */
export const DEMO_APP_FILE = new URL('../examples/hello-web.app.json', import.meta.url);

/**
 * The demo app, from examples/hello-web.app.json: staging deploys at once, prod
 * needs one approval (the release managers hold the grant). Prod's approval
 * timeout is the stack's setting (APPROVAL_TIMEOUT_SECONDS, default the file's 24 h).
 */
export async function demoApp(seed: Pick<DemoSeed, 'approvalTimeoutSeconds'>, at: string): Promise<App> {
  const { name, ...definition } = JSON.parse(await readFile(DEMO_APP_FILE, 'utf8')) as Record<string, unknown>;
  const app = toApp(String(name), appDefinitionSchema.parse(definition));
  if (app.name !== DEMO_APP) throw new Error(`${DEMO_APP_FILE.pathname} must define "${DEMO_APP}", not "${app.name}"`);
  const current = { image: DEMO_INITIAL_IMAGE, deployedAt: at };
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
    await new DynamoCatalogWriter(db, tableName).putApp(await demoApp(seed, at), audit('app.registered', `app/${DEMO_APP}`), { keepExisting: true });
    const directory = new DynamoDirectoryStore(db, tableName);
    if ((await directory.get()).version === 0) await directory.save(demoDirectory(), 0, audit('directory.changed', 'directory'));
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
