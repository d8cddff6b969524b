import { randomBytes } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { signLink, verifySignature } from '../domain/approval-link';
import {
  assertRotationKeepsLinks,
  parseLinkKeySet,
  rotateLinkKeySet,
  serializeLinkKeySet,
  type LinkKey,
  type LinkKeySet,
} from '../domain/link-keys';
import type { Logger } from '../observability/logger';

/** What Secrets Manager sends a rotation function, once per step. */
export interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: string;
}

export interface RotationDeps {
  client: SecretsManagerClient;
  clock: () => Date;
  log: Logger;
  /** A fresh key; random by default, fixed in tests. */
  newKey?: (now: Date) => LinkKey;
}

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

/** `k<yyyymmdd>-<6 hex>`: sortable by eye, never SINGLE_KEY_ID, 256 random bits of key. */
export function randomLinkKey(now: Date): LinkKey {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return { id: `k${day}-${randomBytes(3).toString('hex')}`, key: randomBytes(32).toString('base64url') };
}

/**
 * The Secrets Manager rotation function of the link-signing key set. Each step
 * is idempotent (Secrets Manager retries them) and the key-set logic itself is
 * the pure domain/link-keys.ts:
 *
 * - createSecret: the rotated key set (new current key, the old one retired,
 *   expired ones dropped) is stored as the AWSPENDING version.
 * - setSecret: nothing: no other system holds the key; the functions read it.
 * - testSecret: the pending set signs and verifies a link with its new key and
 *   keeps every key a live link may use.
 * - finishSecret: AWSCURRENT moves to the pending version.
 */
export function createSigningKeyRotation(deps: RotationDeps) {
  const { client, log } = deps;
  const newKey = deps.newKey ?? randomLinkKey;

  const read = async (secretId: string, select: { VersionStage: string } | { VersionId: string; VersionStage: string }): Promise<LinkKeySet> => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretId, ...select }));
    return parseLinkKeySet(result.SecretString ?? '');
  };

  const steps: Record<string, (secretId: string, token: string) => Promise<void>> = {
    async createSecret(secretId, token) {
      const current = await read(secretId, { VersionStage: CURRENT });
      try {
        await read(secretId, { VersionId: token, VersionStage: PENDING });
        log.info('rotation: pending key set already exists', { secretId, token });
        return;
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      const rotated = rotateLinkKeySet(current, newKey(deps.clock()), deps.clock());
      await client.send(
        new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: serializeLinkKeySet(rotated), VersionStages: [PENDING] }),
      );
      log.info('rotation: pending key set created', { secretId, token, keyId: rotated.current.id, retained: rotated.previous.map((key) => key.id) });
    },

    async setSecret() {
      // The key is only ever used by Gatekeeper's own functions, which read the secret.
    },

    async testSecret(secretId, token) {
      const [current, pending] = await Promise.all([
        read(secretId, { VersionStage: CURRENT }),
        read(secretId, { VersionId: token, VersionStage: PENDING }),
      ]);
      const now = deps.clock();
      assertRotationKeepsLinks(current, pending, now);
      const probe = { releaseId: 'rotation-test', environment: 'rotation-test', approver: 'rotation@gatekeeper.invalid', expiresAt: Math.floor(now.getTime() / 1000) + 60 };
      verifySignature(signLink(probe, pending), pending);
      log.info('rotation: pending key set tested', { secretId, token, keyId: pending.current.id });
    },

    async finishSecret(secretId, token) {
      const description = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
      const stages = description.VersionIdsToStages ?? {};
      const currentVersion = Object.keys(stages).find((version) => stages[version]?.includes(CURRENT));
      if (currentVersion === token) {
        log.info('rotation: already finished', { secretId, token });
        return;
      }
      await client.send(
        new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: CURRENT, MoveToVersionId: token, RemoveFromVersionId: currentVersion }),
      );
      log.info('rotation: finished', { secretId, token, replaced: currentVersion });
    },
  };

  return async (event: RotationEvent): Promise<void> => {
    const step = steps[event.Step];
    if (!step) throw new Error(`unknown rotation step ${JSON.stringify(event.Step)}`);
    const { SecretId: secretId, ClientRequestToken: token } = event;
    const description = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    if (description.RotationEnabled !== true) throw new Error(`rotation is not enabled for ${secretId}`);
    const stages = description.VersionIdsToStages?.[token];
    if (!stages) throw new Error(`version ${token} of ${secretId} does not exist`);
    if (stages.includes(CURRENT)) {
      log.info('rotation: version is already current', { secretId, token, step: event.Step });
      return;
    }
    if (!stages.includes(PENDING)) throw new Error(`version ${token} of ${secretId} is not pending rotation`);
    await step(secretId, token);
  };
}
