import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';

export interface TestStack extends LocalStack {
  ciToken: string;
  adminToken: string;
  signingSecret: string;
  tableName: string;
}

/**
 * The whole local stack on free loopback ports, against the run's shared
 * DynamoDB Local with a table of its own. Rollouts are fast so a full release
 * takes well under a second of simulated cluster time.
 */
export async function startTestStack(overrides: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatekeeper-test-'));
  const ciToken = `gk_${randomBytes(32).toString('base64url')}`;
  const adminToken = `gk_${randomBytes(32).toString('base64url')}`;
  const signingSecret = randomBytes(32).toString('hex');
  const tableName = `gatekeeper-${randomUUID()}`;
  const stack = await startLocalStack({
    dataDir,
    persist: false,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName,
    ciToken,
    adminToken,
    signingSecret,
    approvalTimeoutSeconds: 3600,
    rollout: { delayMs: 30, progressDeadlineMs: 400, timeoutSeconds: 5, pollMs: 25 },
    logLevel: 'error',
    ...overrides,
  });
  return {
    ...stack,
    ciToken,
    adminToken,
    signingSecret,
    tableName,
    close: async () => {
      await stack.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
