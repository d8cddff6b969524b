import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DynamoApprovalStore } from '../../functions/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../../functions/adapters/dynamodb/directory-store';
import { DynamoNotificationLedger } from '../../functions/adapters/dynamodb/notification-ledger';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import type { StreamEvent } from '../../functions/adapters/dynamodb/stream-records';
import { DynamoWebhookStore } from '../../functions/adapters/dynamodb/webhook-store';
import { httpWebhookTransport } from '../../functions/adapters/webhooks/http-transport';
import type { AuditEvent } from '../../functions/domain/audit';
import { DEFAULT_RETRY_POLICY, type StoredWebhookSubscription } from '../../functions/domain/webhooks';
import { silentLogger } from '../../functions/observability/logger';
import { createEventsHandler } from '../../functions/runtime/events';
import type { OutboundDeps } from '../../functions/usecases/dispatch-outbound';
import { deliverDueWebhooks } from '../../functions/usecases/webhook-delivery';
import { ensureTable } from '../../local/tables';
import { startReceiver, type Receiver } from '../support/webhook-receiver';

// The delivery use cases against DynamoDB Local and real receivers on loopback, with a clock the test moves.
const T0 = Date.parse('2026-12-02T12:00:00.000Z');
let now = T0;
let db: ReturnType<typeof createDocumentClient>;
let deps: OutboundDeps;
const receivers: Receiver[] = [];

beforeAll(async () => {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `gatekeeper-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint });
  deps = {
    webhooks: new DynamoWebhookStore(db, tableName),
    releases: new DynamoReleaseStore(db, tableName),
    transport: httpWebhookTransport,
    retry: DEFAULT_RETRY_POLICY,
    publicBaseUrl: 'https://gatekeeper.example.com',
    // Drift emails nobody (domain/notifications.ts): the mailer is never called here.
    mailer: { send: () => Promise.reject(new Error('no email expected')) },
    approvals: new DynamoApprovalStore(db, tableName),
    directory: new DynamoDirectoryStore(db, tableName),
    notifications: new DynamoNotificationLedger(db, tableName),
    random: () => 0.5,
    clock: () => new Date(now),
    newId: randomUUID,
    log: silentLogger,
  };
});
afterAll(async () => {
  db?.destroy();
  for (const receiver of receivers) await receiver.close();
});

/** A fresh app with one subscription to drift events, posting to a new receiver. */
async function subscribed(options: Parameters<typeof startReceiver>[0] = {}) {
  const receiver = await startReceiver({ ...options, clock: () => now });
  receivers.push(receiver);
  const app = `app-${randomUUID().slice(0, 8)}`;
  const subscription: StoredWebhookSubscription = { id: `wh_${randomUUID()}`, app, url: receiver.url, events: ['drift.detected'], kind: 'json', secret: `whsec_${randomUUID()}`, createdAt: new Date(now).toISOString(), createdBy: 'admin@example.com' };
  receiver.useSecret(subscription.secret);
  await deps.webhooks.subscribe(subscription, { id: randomUUID(), app, actor: 'admin@example.com', action: 'webhook.subscribed', subject: `app/${app}/webhook/${subscription.id}`, at: subscription.createdAt });
  return { receiver, subscription, app };
}

/** A stream record of a new audit item, as Lambda's event source mapping passes it. */
function insertRecord(item: Record<string, unknown>, sequence: string): StreamEvent['Records'][number] {
  return { eventID: sequence, eventName: 'INSERT', eventSource: 'aws:dynamodb', dynamodb: { NewImage: marshall(item), SequenceNumber: sequence, StreamViewType: 'NEW_IMAGE' } };
}

function driftAudit(app: string): AuditEvent & Record<string, unknown> {
  return {
    pk: `AUDIT#${app}`, sk: 'SEQ#000000000002', kind: 'audit', seq: 2, prevHash: 'a'.repeat(64), hash: 'b'.repeat(64),
    id: randomUUID(), app, actor: 'system:reconciler', action: 'environment.drift_detected', subject: `app/${app}/env/prod`, at: new Date(now).toISOString(),
    detail: { runs: { image: 'repo@sha256:1' }, expected: { image: 'repo@sha256:2' }, since: new Date(now).toISOString() },
  };
}

describe('webhook deliveries', () => {
  it('a redelivered stream record adds no delivery and sends nothing again', async () => {
    const { receiver, subscription, app } = await subscribed();
    const handler = createEventsHandler(deps);
    const record = insertRecord(driftAudit(app), '100');
    expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [record, record] })).toEqual({ batchItemFailures: [] });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]).toMatchObject({ verified: true, json: { type: 'drift.detected', subject: { app, environment: 'prod', dashboardUrl: `https://gatekeeper.example.com/apps/${app}/envs/prod` } } });
    expect(await deps.webhooks.deliveries(subscription.id, 10)).toEqual([expect.objectContaining({ status: 'delivered', attempts: 1 })]);
  });

  it('ignores other items and reports a record it cannot read, so the batch comes again from it', async () => {
    const { receiver, app } = await subscribed();
    const handler = createEventsHandler(deps);
    const token = insertRecord({ pk: 'TOKEN#x', sk: 'TOKEN', kind: 'token', id: 'tok_1' }, '200');
    const { at: _at, ...corrupt } = driftAudit(app);
    const response = await handler({ Records: [token, insertRecord(corrupt, '201'), { ...insertRecord(driftAudit(app), '202'), eventName: 'MODIFY' }] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '201' }] });
    expect(receiver.received).toHaveLength(0);
  });

  it('backs off exponentially with jitter, capped at an hour, and parks the delivery dead 24 h after the event', async () => {
    now = T0;
    const { receiver, subscription, app } = await subscribed({ failFirst: 1_000 });
    await createEventsHandler(deps)({ Records: [insertRecord(driftAudit(app), '300')] });
    const gaps: number[] = [];
    for (let pass = 0; pass < 100; pass++) {
      const [delivery] = await deps.webhooks.deliveries(subscription.id, 1);
      if (delivery?.status !== 'pending') break;
      gaps.push((Date.parse(delivery.nextAttemptAt ?? '') - now) / 1000);
      now = Date.parse(delivery.nextAttemptAt ?? '');
      await deliverDueWebhooks(deps);
    }
    const [dead] = await deps.webhooks.deliveries(subscription.id, 1);
    expect(dead).toMatchObject({ status: 'dead', lastStatus: 503, lastError: 'answered HTTP 503' });
    expect(dead).not.toHaveProperty('nextAttemptAt');
    // Half fixed, half random (pinned at 0.5 here): 22.5 s, 45 s, 90 s … doubling until the hour's cap.
    expect(gaps.slice(0, 4)).toEqual([22.5, 45, 90, 180]);
    expect(Math.max(...gaps)).toBe(2700);
    expect(now - T0).toBeLessThanOrEqual(24 * 3600_000);
    expect(receiver.received).toHaveLength(dead!.attempts);
    expect(dead!.attempts).toBeGreaterThan(25);
    // Nothing is due any more: no pass sends it again.
    now += 48 * 3600_000;
    expect(await deliverDueWebhooks(deps)).toEqual({ delivered: 0, retrying: 0, dead: 0 });
  });

  it('two passes at once attempt a due delivery once; a deleted subscription parks its deliveries dead', async () => {
    now = T0;
    const { receiver, subscription, app } = await subscribed({ failFirst: 1 });
    await createEventsHandler(deps)({ Records: [insertRecord(driftAudit(app), '400')] });
    now += 60 * 60_000;
    const [a, b] = await Promise.all([deliverDueWebhooks(deps), deliverDueWebhooks(deps)]);
    expect(a.delivered + b.delivered).toBe(1);
    expect(receiver.received.map((d) => d.answered)).toEqual([503, 204]);

    const gone = await subscribed({ failFirst: 1 });
    await createEventsHandler(deps)({ Records: [insertRecord(driftAudit(gone.app), '401')] });
    await deps.webhooks.unsubscribe(gone.app, gone.subscription.id, { id: randomUUID(), app: gone.app, actor: 'admin@example.com', action: 'webhook.deleted', subject: 'x', at: new Date(now).toISOString() });
    now += 60 * 60_000;
    expect(await deliverDueWebhooks(deps)).toMatchObject({ dead: 1 });
    expect(await deps.webhooks.deliveries(gone.subscription.id, 1)).toEqual([expect.objectContaining({ status: 'dead', lastError: 'the subscription was deleted' })]);
    expect(subscription.id).not.toBe(gone.subscription.id);
  });
});
