import { randomUUID } from 'node:crypto';
import { DynamoCatalogWriter } from '../functions/adapters/dynamodb/catalog-writer';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import type { AuditAction, AuditEvent } from '../functions/domain/audit';
import type { Environment } from '../functions/domain/catalog';
import { hashToken } from '../functions/domain/token';

export const DEMO_APP = 'hello-web';
export const DEMO_APPROVERS = ['alice@example.com', 'bob@example.com'];
export const DEMO_CI_IDENTITY = 'ci:hello-web-pipeline';
/** What both demo environments run before the first release. */
export const DEMO_INITIAL_IMAGE = `registry.example.com/hello-web@sha256:${'0'.repeat(63)}1`;

export interface DemoSeed {
  ciToken: string;
  approvalTimeoutSeconds: number;
  approvers?: string[];
}

/** The demo environments: staging deploys at once, prod needs one approval. */
export function demoEnvironments(seed: Pick<DemoSeed, 'approvalTimeoutSeconds' | 'approvers'>, at: string): Environment[] {
  const current = { image: DEMO_INITIAL_IMAGE, deployedAt: at };
  return [
    {
      app: DEMO_APP,
      name: 'staging',
      order: 0,
      target: { namespace: 'staging', deployment: DEMO_APP, container: 'web' },
      approvalsRequired: 0,
      approvers: [],
      approvalTimeoutSeconds: seed.approvalTimeoutSeconds,
      current,
    },
    {
      app: DEMO_APP,
      name: 'prod',
      order: 1,
      target: { namespace: 'prod', deployment: DEMO_APP, container: 'web' },
      approvalsRequired: 1,
      approvers: seed.approvers ?? DEMO_APPROVERS,
      approvalTimeoutSeconds: seed.approvalTimeoutSeconds,
      current,
    },
  ];
}

/**
 * Writes the demo app, its environments and the CI token. Re-running keeps
 * existing environments (and what they currently run) but re-registers the token.
 */
export async function seedDemo(endpoint: string, tableName: string, seed: DemoSeed): Promise<void> {
  const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint });
  const catalog = new DynamoCatalogWriter(db, tableName);
  const at = new Date().toISOString();
  try {
    const audit = (action: AuditAction, subject: string): AuditEvent => ({ id: randomUUID(), app: DEMO_APP, actor: 'system:local-seed', action, subject, at });
    await catalog.putApp({ name: DEMO_APP, environments: demoEnvironments(seed, at) }, audit('app.registered', `app/${DEMO_APP}`), { keepExisting: true });
    const hash = hashToken(seed.ciToken);
    await catalog.putToken({ hash, identity: DEMO_CI_IDENTITY, createdAt: at }, audit('token.created', `token/${hash.slice(0, 12)}`));
  } finally {
    db.destroy();
  }
}
