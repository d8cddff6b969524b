import {
  nextAttemptAt,
  signatureHeader,
  urlOrigin,
  type RetryPolicy,
  type StoredWebhookSubscription,
  type WebhookDelivery,
  type WebhookStore,
  type WebhookTransport,
} from '../domain/webhooks';
import type { Essentials } from './deps';

/*
 * B17: attempting webhook deliveries (the outbox items dispatch-outbound.ts
 * writes): once at once from the stream handler, then by the reconciler when
 * due. Kept apart from the dispatch so the reconciler's bundle carries neither
 * the Slack views nor the notification emails.
 */

/** A receiver gets this long to answer; a slower one is a failed attempt (retried later), and never holds up a release. */
export const DELIVERY_TIMEOUT_MS = 5_000;
/** A delivery being attempted is not due for this long, so a reconciler pass does not send it a second time meanwhile. */
export const LEASE_MS = 60_000;
const DUE_BATCH = 100;
/** Attempts the reconciler makes at once: a few dead receivers must not take a whole pass each. */
const PARALLEL_ATTEMPTS = 10;

/** What attempting deliveries needs (the stream handler and the reconciler). */
export interface WebhookDeliveryDeps extends Essentials {
  webhooks: WebhookStore;
  transport: WebhookTransport;
  retry: RetryPolicy;
  /** Jitter; Math.random unless a test pins it. */
  random?: () => number;
}

/** One attempt: signed POST, then the outcome recorded (delivered, retry at, or dead past the horizon). */
export async function attemptDelivery(deps: WebhookDeliveryDeps, delivery: WebhookDelivery, subscription: StoredWebhookSubscription): Promise<WebhookDelivery> {
  const now = deps.clock();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Gatekeeper-Webhooks/1',
    'x-gatekeeper-event': delivery.eventType,
    'x-gatekeeper-delivery': delivery.id,
    'x-gatekeeper-signature': signatureHeader(subscription.secret, delivery.body, now),
  };
  const outcome = await deps.transport.post(subscription.url, delivery.body, headers, DELIVERY_TIMEOUT_MS);
  const attempts = delivery.attempts + 1;
  const answered = { attempts, lastAttemptAt: now.toISOString(), ...(outcome.status !== undefined ? { lastStatus: outcome.status } : {}) };
  const { nextAttemptAt: _due, lastStatus: _status, lastError: _error, ...rest } = delivery;
  let next: WebhookDelivery;
  if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
    next = { ...rest, ...answered, status: 'delivered', deliveredAt: now.toISOString() };
  } else {
    const lastError = outcome.error ?? `answered HTTP ${outcome.status}`;
    const due = nextAttemptAt(deps.retry, attempts, delivery.eventAt, now, deps.random ?? Math.random);
    next = { ...rest, ...answered, lastError, ...(due ? { status: 'pending', nextAttemptAt: due } : { status: 'dead' }) };
  }
  await deps.webhooks.saveAttempt(next, delivery.attempts);
  const fields = { deliveryId: delivery.id, app: delivery.app, type: delivery.eventType, target: urlOrigin(subscription.url), attempts, status: next.status, httpStatus: outcome.status };
  if (next.status === 'delivered') deps.log.info('webhook delivered', fields);
  else deps.log.warn(next.status === 'dead' ? 'webhook delivery dead: no more retries' : 'webhook delivery failed; will retry', { ...fields, error: next.lastError, nextAttemptAt: next.nextAttemptAt });
  return next;
}

export interface WebhookPassReport {
  delivered: number;
  /** Failed again, retried later. */
  retrying: number;
  /** Parked: the retry horizon passed, or the subscription was deleted. */
  dead: number;
}

/** The reconciler's pass: every pending delivery that is due (an index Query by due time), a few at a time. */
export async function deliverDueWebhooks(deps: WebhookDeliveryDeps): Promise<WebhookPassReport> {
  const report: WebhookPassReport = { delivered: 0, retrying: 0, dead: 0 };
  const due = await deps.webhooks.due(deps.clock().toISOString(), DUE_BATCH);
  for (let i = 0; i < due.length; i += PARALLEL_ATTEMPTS) {
    const outcomes = await Promise.all(due.slice(i, i + PARALLEL_ATTEMPTS).map((delivery) => retry(deps, delivery)));
    for (const status of outcomes) {
      if (status === 'delivered') report.delivered += 1;
      else if (status === 'pending') report.retrying += 1;
      else if (status === 'dead') report.dead += 1;
    }
  }
  return report;
}

async function retry(deps: WebhookDeliveryDeps, delivery: WebhookDelivery): Promise<WebhookDelivery['status'] | undefined> {
  const now = deps.clock();
  const subscription = await deps.webhooks.subscription(delivery.app, delivery.subscriptionId);
  const { nextAttemptAt: _due, ...rest } = delivery;
  if (!subscription) {
    await deps.webhooks.saveAttempt({ ...rest, status: 'dead', lastError: 'the subscription was deleted' }, delivery.attempts);
    return 'dead';
  }
  if (now.getTime() > Date.parse(delivery.eventAt) + deps.retry.giveUpAfterSeconds * 1000) {
    await deps.webhooks.saveAttempt({ ...rest, status: 'dead', lastError: `${delivery.lastError ?? 'not delivered'}; retry horizon passed` }, delivery.attempts);
    return 'dead';
  }
  const until = new Date(now.getTime() + LEASE_MS).toISOString();
  // Another pass took it first: that one attempts it.
  if (!(await deps.webhooks.claim(delivery, until))) return undefined;
  return (await attemptDelivery(deps, { ...delivery, nextAttemptAt: until }, subscription)).status;
}
