import { RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export const logRetention = RetentionDays.THREE_MONTHS;

/**
 * Operational logs: kept three months, deleted with the stack. The release record
 * (who approved what, when) lives in the retained DynamoDB table, not in logs.
 */
export function operationalLogGroup(scope: Construct, id: string): LogGroup {
  return new LogGroup(scope, id, { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
}
