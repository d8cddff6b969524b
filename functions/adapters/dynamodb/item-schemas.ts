// zod/mini: the same validation at a fraction of the bundle (cold start) cost.
import * as z from 'zod/mini';
import type { ApprovalRequest } from '../../domain/approval';
import type { ChainedAuditEvent } from '../../domain/audit-chain';
import type { ApiToken, Environment } from '../../domain/catalog';
import type { ConfigDraft, ConfigVersion } from '../../domain/config-change';
import type { Deployment } from '../../domain/deployment';
import type { DayBucket } from '../../domain/dora';
import { CorruptItemError } from '../../domain/errors';
import type { IdempotencyRecord, OutboxItem } from '../../domain/ports';
import type { Release } from '../../domain/release';
import type { StoredWebhookSubscription, WebhookDelivery } from '../../domain/webhooks';
import { withoutKeys } from './keys';

/**
 * What each stored item must hold for the code that reads it. Items are
 * checked on read, so drift in stored data (a hand edit, an older version's
 * shape, a bad migration) fails loudly with the item's key instead of deep
 * inside a handler. Objects are loose: attributes added later pass.
 */
const text = z.string();
const optionalText = z.optional(z.string());
const count = z.number();
const names = z.array(z.string());
const object = z.looseObject({});
const vote = z.looseObject({ voter: text, decision: z.enum(['approve', 'reject']), at: text });
const voter = z.looseObject({ id: text, groups: names });
const stage = z.looseObject({
  environment: text, image: text, startedAt: text,
  status: z.enum(['queued', 'waiting_for_approval', 'running', 'succeeded', 'failed', 'rolled_back', 'rollback_failed', 'rejected', 'expired', 'cancelled', 'superseded']),
});

const schemas = {
  release: z.looseObject({
    id: text, app: text, image: text, digest: text, labels: names, requestedBy: text,
    status: z.enum(['running', 'waiting_for_approval', 'succeeded', 'rejected', 'expired', 'failed', 'cancelled', 'superseded']),
    pipeline: z.array(z.looseObject({ name: text, after: names })), createdAt: text, updatedAt: text,
    stages: z.record(z.string(), stage),
  }),
  approval: z.looseObject({
    id: text, gate: z.enum(['image', 'config']), releaseId: text, app: text, environment: text, image: text, requestedBy: text, labels: names,
    policy: z.looseObject({ required: count, rules: z.array(z.looseObject({ group: text, min: count })) }), policyVersion: count,
    eligible: z.array(voter), notified: names, votes: z.array(vote),
    status: z.enum(['pending', 'approved', 'rejected', 'expired', 'cancelled', 'superseded']),
    taskToken: z.optional(z.string()), createdAt: text, expiresAt: text, version: count,
  }),
  environment: z.looseObject({ app: text, name: text, order: count, target: z.looseObject({ namespace: text, deployment: text, container: text }), policy: object }),
  token: z.looseObject({ id: text, hash: text, identity: text, type: z.enum(['ci', 'personal']), createdAt: text, createdBy: text, expiresAt: optionalText, revokedAt: optionalText }),
  deployment: z.looseObject({ id: text, app: text, environment: text, type: text, releaseId: text, image: text, requestedBy: text, approvers: names, startedAt: text, finishedAt: text, result: text }),
  configVersion: z.looseObject({ app: text, environment: text, version: count, override: object, effective: object, hash: text, author: text, approvedBy: names, publishedAt: text, baseVersion: count }),
  configDraft: z.looseObject({ id: text, app: text, environment: text, override: object, effective: object, hash: text, author: text, baseVersion: count, rolloutOnApprove: z.boolean(), createdAt: text, updatedAt: text }),
  dayBucket: z.looseObject({ day: text, deployments: count, successes: count, failures: count, leadTimeSeconds: z.array(count), restoreSeconds: z.array(count) }),
  auditEvent: z.looseObject({ id: text, app: text, actor: text, action: text, subject: text, at: text, seq: count, prevHash: text, hash: text }),
  idempotency: z.looseObject({ identity: text, key: text, bodyHash: text, releaseId: text, createdAt: text, expiresAt: count }),
  outbox: z.looseObject({ id: text, releaseId: text, app: text, callback: z.looseObject({ kind: z.enum(['success', 'failure']), taskToken: text }), createdAt: text, attempts: count }),
  webhook: z.looseObject({ id: text, app: text, url: text, events: names, format: z.enum(['json', 'slack']), secret: text, createdAt: text, createdBy: text }),
  webhookDelivery: z.looseObject({
    id: text, subscriptionId: text, app: text, eventId: text, eventType: text, eventAt: text, body: text,
    status: z.enum(['pending', 'delivered', 'dead']), attempts: count, createdAt: text,
  }),
};

interface ItemTypes {
  release: Release;
  approval: ApprovalRequest;
  environment: Environment;
  token: ApiToken;
  deployment: Deployment;
  configVersion: ConfigVersion;
  configDraft: ConfigDraft;
  dayBucket: DayBucket;
  auditEvent: ChainedAuditEvent;
  idempotency: IdempotencyRecord;
  outbox: OutboxItem;
  /** Stored with its kind as `format` (`kind` is the item's type). */
  webhook: Omit<StoredWebhookSubscription, 'kind'> & { format: StoredWebhookSubscription['kind'] };
  webhookDelivery: WebhookDelivery;
}

/** The domain value of a stored item, checked against its schema; CorruptItemError names the key and what is wrong. */
export function readItem<K extends keyof ItemTypes>(kind: K, item: Record<string, unknown>): ItemTypes[K] {
  const value = withoutKeys<Record<string, unknown>>(item);
  const result = schemas[kind].safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`).join('; ');
    throw new CorruptItemError(`stored ${kind} ${String(item.pk)} / ${String(item.sk)} is not valid: ${problems}`);
  }
  // The schema checked what the code relies on; the rest is the domain type's optional detail.
  return value as unknown as ItemTypes[K];
}
