import type { AuditEvent } from '../domain/audit';
import type { OutboundEvent } from '../domain/outbound-events';
import { outboundEventOf, withRelease } from '../domain/outbound-mapping';
import type { ReleaseStore } from '../domain/ports';
import { deliveryId, jsonBody, subscribesTo, type StoredWebhookSubscription, type WebhookDelivery } from '../domain/webhooks';
import { slackMessage } from '../views/slack/message';
import { notifyOnOutboundEvent, type NotifyDeps } from './notify-outcome';
import { attemptDelivery, LEASE_MS, type WebhookDeliveryDeps } from './webhook-delivery';

/** What the stream handler needs besides: the release, to describe the event, where the dashboard is, for its links, and the notification emails'. */
export interface OutboundDeps extends WebhookDeliveryDeps, NotifyDeps {
  releases: ReleaseStore;
  publicBaseUrl: string;
}

/**
 * An audit event as the stream handler sees it: turned into the outbound
 * event it stands for (if receivers hear about it at all), with the release
 * as it is now, and dispatched.
 */
export async function publishAuditEvent(deps: OutboundDeps, audit: AuditEvent): Promise<OutboundEvent | undefined> {
  const bare = outboundEventOf(audit, deps.publicBaseUrl);
  if (!bare) return undefined;
  const view = bare.subject.releaseId ? await deps.releases.view(bare.subject.releaseId) : undefined;
  const event = view ? withRelease(bare, view.release, view.approvals) : bare;
  await dispatchOutboundEvent(deps, event);
  return event;
}

/**
 * Writes one delivery per subscription of the app that wants the event (the
 * outbox: conditional, so a redelivered stream record adds nothing and does
 * not send again) and attempts each new one at once; what fails is the
 * reconciler's to retry. The people the event concerns are emailed alongside
 * (notifyOnOutboundEvent, once per event and person); if that throws, the
 * stream record comes again and only the emails still missing are sent.
 */
export async function dispatchOutboundEvent(deps: OutboundDeps, event: OutboundEvent): Promise<void> {
  const subscriptions = (await deps.webhooks.subscriptions(event.subject.app)).filter((s) => subscribesTo(s, event.type));
  const attempts: Promise<unknown>[] = [];
  for (const subscription of subscriptions) {
    const delivery = newDelivery(deps, event, subscription);
    if (await deps.webhooks.addDelivery(delivery)) attempts.push(attemptDelivery(deps, delivery, subscription));
  }
  await Promise.all([...attempts, notifyOnOutboundEvent(deps, event)]);
}

function newDelivery(deps: OutboundDeps, event: OutboundEvent, subscription: StoredWebhookSubscription): WebhookDelivery {
  const now = deps.clock();
  return {
    id: deliveryId(event.id, subscription.id),
    subscriptionId: subscription.id,
    app: event.subject.app,
    eventId: event.id,
    eventType: event.type,
    eventAt: event.at,
    body: bodyFor(subscription, event),
    status: 'pending',
    attempts: 0,
    createdAt: now.toISOString(),
    // Taken by the attempt that follows; due for the reconciler only if that one never records its outcome.
    nextAttemptAt: new Date(now.getTime() + LEASE_MS).toISOString(),
  };
}

/** `json`: the event itself. `slack`: a Block Kit message about it (an incoming webhook takes nothing else). */
function bodyFor(subscription: StoredWebhookSubscription, event: OutboundEvent): string {
  return subscription.kind === 'slack' ? JSON.stringify(slackMessage(event)) : jsonBody(event);
}

