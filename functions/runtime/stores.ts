import { randomUUID } from 'node:crypto';
import { DynamoAuditReader } from '../adapters/dynamodb/audit-reader';
import { DynamoApprovalStore } from '../adapters/dynamodb/approval-store';
import { AuditedWriter, DynamoAuditLog } from '../adapters/dynamodb/audit-items';
import { DynamoCatalogStore } from '../adapters/dynamodb/catalog-store';
import { DynamoCatalogWriter } from '../adapters/dynamodb/catalog-writer';
import { createDocumentClient } from '../adapters/dynamodb/client';
import { DynamoConfigStore } from '../adapters/dynamodb/config-store';
import { DynamoDeploymentStore } from '../adapters/dynamodb/deployment-store';
import { DynamoDirectoryStore } from '../adapters/dynamodb/directory-store';
import { DynamoReleaseStore } from '../adapters/dynamodb/release-store';
import { DynamoTokenStore } from '../adapters/dynamodb/token-store';
import { DynamoOutbox } from '../adapters/dynamodb/outbox-store';
import { DynamoEnvironmentHealth } from '../adapters/dynamodb/environment-health';
import { DynamoRateLimiter } from '../adapters/dynamodb/rate-limiter';
import { DynamoSecurityLog } from '../adapters/dynamodb/security-log';
import { DynamoNotificationLedger } from '../adapters/dynamodb/notification-ledger';
import { DynamoWebhookStore } from '../adapters/dynamodb/webhook-store';
import { readAwsConfig, readTableConfig, type Env } from '../config';
import { createLogger, type LogLevel } from '../observability/logger';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const logLevel = (value: string | undefined): LogLevel => LEVELS.find((level) => level === value) ?? 'info';

/** The pieces every function needs: AWS settings, the table's stores, clock, ids, logger. */
export function baseDeps(env: Env, service: string) {
  const aws = readAwsConfig(env);
  const { TABLE_NAME } = readTableConfig(env);
  const db = createDocumentClient(aws);
  return {
    aws,
    releases: new DynamoReleaseStore(db, TABLE_NAME),
    catalog: new DynamoCatalogStore(db, TABLE_NAME),
    catalogWriter: new DynamoCatalogWriter(db, TABLE_NAME),
    approvals: new DynamoApprovalStore(db, TABLE_NAME),
    audit: new DynamoAuditLog(new AuditedWriter(db, TABLE_NAME)),
    auditTrail: new DynamoAuditReader(db, TABLE_NAME),
    tokens: new DynamoTokenStore(db, TABLE_NAME),
    deployments: new DynamoDeploymentStore(db, TABLE_NAME),
    configs: new DynamoConfigStore(db, TABLE_NAME),
    directory: new DynamoDirectoryStore(db, TABLE_NAME),
    outbox: new DynamoOutbox(db, TABLE_NAME),
    health: new DynamoEnvironmentHealth(db, TABLE_NAME),
    securityLog: new DynamoSecurityLog(db, TABLE_NAME),
    limiter: new DynamoRateLimiter(db, TABLE_NAME),
    webhooks: new DynamoWebhookStore(db, TABLE_NAME),
    notifications: new DynamoNotificationLedger(db, TABLE_NAME),
    clock: () => new Date(),
    newId: randomUUID,
    log: createLogger(service, logLevel(env.LOG_LEVEL)),
  };
}
