import { insertedAuditEvent, type StreamBatchResponse, type StreamEvent } from '../adapters/dynamodb/stream-records';
import { SesMailer } from '../adapters/ses/mailer';
import { httpWebhookTransport } from '../adapters/webhooks/http-transport';
import { readMailConfig, readWebhookRetryConfig, type Env } from '../config';
import { errorFields } from '../observability/logger';
import { publishAuditEvent, type OutboundDeps } from '../usecases/dispatch-outbound';
import { baseDeps } from './stores';

export function eventsDeps(env: Env): OutboundDeps {
  const base = baseDeps(env, 'events');
  const mail = readMailConfig(env);
  return {
    ...base,
    transport: httpWebhookTransport,
    retry: readWebhookRetryConfig(env),
    publicBaseUrl: mail.PUBLIC_BASE_URL,
    mailer: new SesMailer(base.aws, mail.MAIL_FROM),
  };
}

/**
 * The handler of the table's stream (Lambda's event source mapping in AWS, the
 * local stream poller on the laptop): each new audit event becomes its
 * outbound event, delivered to the app's subscriptions. Records are handled
 * side by side (one dead receiver must not hold up the others' events); a
 * record that could not be handled (the table did not answer) is reported, so
 * it and the records after it come again, and the outbox's conditional writes
 * make that harmless.
 */
export function createEventsHandler(deps: OutboundDeps) {
  return async (event: StreamEvent): Promise<StreamBatchResponse> => {
    const outcomes = await Promise.allSettled(
      event.Records.map(async (record) => {
        const audit = insertedAuditEvent(record);
        if (audit) await publishAuditEvent(deps, audit);
      }),
    );
    const failed = event.Records.filter((record, i) => {
      const outcome = outcomes[i];
      if (outcome?.status !== 'rejected') return false;
      deps.log.error('stream record not handled; it will come again', { eventId: record.eventID, ...errorFields(outcome.reason) });
      return true;
    });
    return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' })) };
  };
}

export function buildEventsHandler(env: Env) {
  return createEventsHandler(eventsDeps(env));
}
