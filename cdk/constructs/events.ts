import { Duration } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag';
import type { Data } from './data';
import { GatekeeperFunction } from './gatekeeper-function';
import type { Mail } from './mail';

export interface EventsProps {
  data: Data;
  mail: Mail;
  /** The dashboard's origin, for the events' links. */
  publicBaseUrl: string;
  mailFrom: string;
}

/**
 * B17: the table's stream drives the `events` Lambda (functions/lambda/events.ts),
 * which turns each new audit event into its outbound event: webhook deliveries
 * (the outbox; the reconciler retries them) and notification emails. The event
 * source mapping filters to inserted audit items, so the function is not
 * invoked for any other write; it reports failed records (ReportBatchItemFailures)
 * so a batch comes again from the first one, and bisects a failing batch to
 * find a record that keeps failing.
 */
export class Events extends Construct {
  readonly handler: GatekeeperFunction;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    const { data, mail } = props;
    this.handler = new GatekeeperFunction(this, 'Events', {
      bundle: 'events',
      description: 'Gatekeeper events: new audit events to signed webhooks and notification emails (DynamoDB Streams)',
      memorySize: 512,
      // A batch's receivers are tried side by side, each for at most 5 s, with the emails alongside.
      timeout: Duration.minutes(1),
      environment: { TABLE_NAME: data.table.tableName, PUBLIC_BASE_URL: props.publicBaseUrl, MAIL_FROM: props.mailFrom },
    });
    data.allowItemAccess(this.handler);
    mail.allowSend(this.handler);
    this.handler.function.addEventSource(
      new DynamoEventSource(data.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 20,
        // The stream keeps records 24 h, as long as deliveries are retried.
        maxRecordAge: Duration.hours(24),
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { kind: { S: FilterRule.isEqual('audit') } } } })],
      }),
    );
    acknowledgeWildcardResource(
      this.handler.role,
      'dynamodb:ListStreams (added by the DynamoDB event source) has no resource-level permissions; the stream itself is read by its ARN. xray:PutTraceSegments and xray:PutTelemetryRecords likewise.',
    );
  }
}
