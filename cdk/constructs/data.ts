import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { INDEX_NAMES } from '../../functions/adapters/dynamodb/table-schema';

/**
 * Item-level DynamoDB actions the functions use. Transactions have no IAM action of
 * their own: TransactWriteItems/TransactGetItems are authorized per item against
 * PutItem, UpdateItem, DeleteItem, ConditionCheckItem and GetItem. No Scan or
 * Batch* while no code needs them (expired items go through TTL); add them
 * here when it does.
 */
export const tableItemActions = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  // Outbox items are deleted once delivered.
  'dynamodb:DeleteItem',
] as const;

/** Indexes are only ever queried. */
export const indexActions = ['dynamodb:Query'] as const;

export const globalSecondaryIndexes = INDEX_NAMES;

/** The single table and the link-signing key. */
export class Data extends Construct {
  readonly table: Table;
  readonly signingSecret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'ttl',
      // New audit events drive webhooks and notifications (cdk/constructs/events.ts), as table-schema.ts says for the local stack.
      stream: StreamViewType.NEW_IMAGE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const indexName of globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: `${indexName}pk`, type: AttributeType.STRING },
        sortKey: { name: `${indexName}sk`, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    // Created as a plain string: one key (id k0). Its rotation (SigningKeyRotation; Secrets Manager rotates
    // once as soon as the schedule exists) turns it into a key set that keeps k0 while links it signed live.
    this.signingSecret = new Secret(this, 'LinkSigningSecret', {
      description: 'Gatekeeper: HMAC key that signs approval links',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
  }

  allowItemAccess(grantee: IGrantable): void {
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...tableItemActions], resources: [this.table.tableArn] }),
    );
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...indexActions],
        resources: globalSecondaryIndexes.map((name) => `${this.table.tableArn}/index/${name}`),
      }),
    );
  }

  allowSigningSecretRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.signingSecret.secretArn] }),
    );
  }
}
