import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { DynamoApprovalStore } from '../../functions/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../../functions/adapters/dynamodb/directory-store';
import { DynamoNotificationLedger } from '../../functions/adapters/dynamodb/notification-ledger';
import { DynamoReleaseStore } from '../../functions/adapters/dynamodb/release-store';
import { SesMailer } from '../../functions/adapters/ses/mailer';
import { readAwsConfig } from '../../functions/config';
import { MailUnavailableError } from '../../functions/domain/errors';
import type { OutboundEvent, OutboundEventType, OutboundSubject } from '../../functions/domain/outbound-events';
import { silentLogger } from '../../functions/observability/logger';
import { notifyOnOutboundEvent, type NotifyDeps } from '../../functions/usecases/notify-outcome';
import { startSesEmulator, type SesEmulator } from '../../local/ses-local';
import { seedDemo } from '../../local/seed';
import { ensureTable } from '../../local/tables';
import type { StoredEmail } from '../support/clients';
import { approvalRequest } from '../support/requests';

// The use case against DynamoDB Local (markers, the request, the demo directory) and the SES emulator (the mailbox).
const BASE = 'http://127.0.0.1:3000';
let ses: SesEmulator;
let db: ReturnType<typeof createDocumentClient>;
let releases: DynamoReleaseStore;
let approvals: DynamoApprovalStore;
let deps: NotifyDeps;

beforeAll(async () => {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `gatekeeper-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  // The demo directory: carol deploys, alice and bob approve prod, erin views.
  await seedDemo(endpoint, tableName, { ciToken: `gk_${randomUUID()}`, adminToken: `gk_${randomUUID()}`, approvalTimeoutSeconds: 3600 });
  ses = await startSesEmulator(0);
  db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint });
  releases = new DynamoReleaseStore(db, tableName);
  approvals = new DynamoApprovalStore(db, tableName);
  deps = {
    mailer: new SesMailer(readAwsConfig({ AWS_REGION: 'us-east-1', SES_ENDPOINT: ses.url }), 'gatekeeper@example.com'),
    approvals,
    directory: new DynamoDirectoryStore(db, tableName),
    notifications: new DynamoNotificationLedger(db, tableName),
    clock: () => new Date(),
    log: silentLogger,
  };
});
afterAll(async () => {
  db?.destroy();
  await ses?.close();
});

/** A hello-web release requested by carol (author erin) whose prod approval was sent to alice and bob. */
async function releaseWaitingInProd(): Promise<string> {
  const releaseId = randomUUID();
  const at = new Date().toISOString();
  const image = `registry.example.com/hello-web@sha256:${'b'.repeat(64)}`;
  await releases.create(
    {
      id: releaseId,
      app: 'hello-web',
      image,
      digest: image.split('@')[1]!,
      labels: [],
      requestedBy: 'carol@example.com',
      author: 'erin@example.com',
      status: 'running',
      pipeline: [{ name: 'prod', after: [] }],
      createdAt: at,
      updatedAt: at,
      stages: { prod: { environment: 'prod', status: 'queued', image, startedAt: at } },
    },
    { id: randomUUID(), app: 'hello-web', actor: 'carol@example.com', action: 'release.requested', subject: `release/${releaseId}`, at },
  );
  const request = approvalRequest({ releaseId, id: `${releaseId}.prod`, image, requestedBy: 'carol@example.com', author: 'erin@example.com', notified: ['alice@example.com', 'bob@example.com'] });
  await approvals.open(request, { id: randomUUID(), app: 'hello-web', actor: 'system:release-state-machine', action: 'approval.requested', subject: `release/${releaseId}/approval/prod`, at });
  return releaseId;
}

function event(releaseId: string, type: OutboundEventType, actor: string, subject: Partial<OutboundSubject>): OutboundEvent {
  return {
    id: randomUUID(),
    type,
    at: new Date().toISOString(),
    actor,
    subject: { app: 'hello-web', releaseId, environment: 'prod', requestedBy: 'carol@example.com', author: 'erin@example.com', dashboardUrl: `${BASE}/releases/${releaseId}`, ...subject },
  };
}

/** The emails about one release (its dashboard link names it). */
async function emailsAbout(releaseId: string): Promise<StoredEmail[]> {
  const { emails } = (await (await fetch(`${ses.url}/store`)).json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.body.text?.includes(releaseId));
}

const recipients = (emails: StoredEmail[]) => emails.flatMap((email) => email.destination.to).sort();

describe('notifyOnOutboundEvent', () => {
  it('emails the requester, the author and the other approvers once each, however often the event is delivered, and never the deciding voter', async () => {
    const releaseId = await releaseWaitingInProd();
    const decided = event(releaseId, 'approval.decided', 'alice@example.com', {
      status: 'approved',
      votes: [{ voter: 'alice@example.com', decision: 'approve', comment: 'looks good', at: new Date().toISOString() }],
      required: 1,
    });
    // At-least-once delivery: twice at once, then again later.
    await Promise.all([notifyOnOutboundEvent(deps, decided), notifyOnOutboundEvent(deps, decided)]);
    await notifyOnOutboundEvent(deps, decided);

    const emails = await emailsAbout(releaseId);
    expect(recipients(emails)).toEqual(['bob@example.com', 'carol@example.com', 'erin@example.com']);
    const dashboard = `${BASE}/releases/${releaseId}`;
    for (const email of emails) {
      expect(email.subject).toBe('[Gatekeeper] Approved: hello-web → prod');
      expect(email.body.text).toContain(`alice@example.com approved hello-web → prod.`);
      expect(email.body.text).toContain(`See it in Gatekeeper: ${dashboard}`);
      expect(email.body.html).toContain(`<a href="${dashboard}">`);
      // Only the dashboard: no personal approval link, no other link.
      for (const part of [email.body.text, email.body.html]) {
        expect(part).not.toMatch(/\/approve\/|\/a\//);
        expect([...(part ?? '').matchAll(/https?:\/\/[^\s"<]+/g)].map((m) => m[0])).toEqual([dashboard]);
      }
      expect(email.body.text).toContain('Approvals: 1 of 1 approval(s): alice@example.com approved');
      expect(email.body.text).toContain('Vote comments:\n> alice@example.com: looks good');
    }
    const bob = emails.find((email) => email.destination.to.includes('bob@example.com'));
    expect(bob?.body.text).toContain('you were asked to approve this request');
  });

  it('tells every approver who was asked when nobody decided in time', async () => {
    const releaseId = await releaseWaitingInProd();
    await notifyOnOutboundEvent(deps, event(releaseId, 'approval.decided', 'system:release-state-machine', { status: 'expired' }));
    expect(recipients(await emailsAbout(releaseId))).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com', 'erin@example.com']);
  });

  it('sends what failed on the redelivery, and only that', async () => {
    const releaseId = await releaseWaitingInProd();
    const failed = event(releaseId, 'check.failed', 'system:release-state-machine', { status: 'failed', check: { name: 'smoke-test', kind: 'job', phase: 'post', detail: 'exit code 1' } });
    // The SDK tries a send 3 times: 5 refusals among 2 sends leave exactly one of them unsent.
    ses.setFaults({ refuse: 5 });
    await expect(notifyOnOutboundEvent(deps, failed)).rejects.toBeInstanceOf(MailUnavailableError);
    expect(await emailsAbout(releaseId)).toHaveLength(1);
    ses.clearFaults();
    await notifyOnOutboundEvent(deps, failed);
    await notifyOnOutboundEvent(deps, failed);
    const emails = await emailsAbout(releaseId);
    expect(recipients(emails)).toEqual(['carol@example.com', 'erin@example.com']);
    expect(emails[0]?.subject).toBe('[Gatekeeper] Check failed: hello-web → prod');
    expect(emails[0]?.body.text).toContain('Check output:\n> exit code 1');
  });

  it('emails nobody about events that are not their outcome', async () => {
    const releaseId = await releaseWaitingInProd();
    for (const type of ['release.started', 'approval.requested', 'rollback.started', 'drift.detected'] as const) {
      await notifyOnOutboundEvent(deps, event(releaseId, type, 'carol@example.com', {}));
    }
    await notifyOnOutboundEvent(deps, event(releaseId, 'release.finished', 'system:release-state-machine', { status: 'succeeded', environment: undefined }));
    expect(await emailsAbout(releaseId)).toEqual([]);
  });
});
