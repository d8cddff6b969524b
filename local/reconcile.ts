import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoApprovalStore } from '../functions/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import { DynamoReleaseStore, terminalStatusValues } from '../functions/adapters/dynamodb/release-store';
import type { AuditEvent } from '../functions/domain/audit';
import type { Release } from '../functions/domain/release';

const REASON = 'the local stack restarted; its Step Functions emulator keeps executions in memory, so this release cannot continue';

/**
 * The local Step Functions emulator loses executions on restart. Releases that
 * were still in flight are ended as failed (and their approval requests
 * cancelled) so no link can approve a release nothing is waiting for.
 * Local start-up only: it scans, which no request path ever does.
 */
export async function endOrphanedReleases(endpoint: string, tableName: string): Promise<number> {
  const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint });
  const releases = new DynamoReleaseStore(db, tableName);
  const approvals = new DynamoApprovalStore(db, tableName);
  try {
    const { Items = [] } = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: `kind = :release AND NOT #status IN (${Object.keys(terminalStatusValues).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':release': 'release', ...terminalStatusValues },
      }),
    );
    const at = new Date().toISOString();
    const audit = (release: Pick<Release, 'id' | 'app'>, action: AuditEvent['action']): AuditEvent => ({
      id: randomUUID(),
      app: release.app,
      actor: 'system:local-stack',
      action,
      subject: `release/${release.id}`,
      at,
      detail: { reason: REASON },
    });
    for (const item of Items as Release[]) {
      const pending = await approvals.get(item.id, item.productionEnvironment);
      if (pending?.status === 'pending') await approvals.close(pending, 'cancelled', REASON, audit(item, 'approval.decided'));
      await releases.finish(item.id, { status: 'failed', at, reason: REASON }, audit(item, 'release.finished'));
    }
    return Items.length;
  } finally {
    db.destroy();
  }
}
