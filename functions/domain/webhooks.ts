import { createHmac, randomBytes } from 'node:crypto';
import type { AuditEvent } from './audit';
import { OUTBOUND_EVENT_TYPES, type OutboundEvent, type OutboundEventType } from './outbound-events';

/**
 * B17: per-app webhook subscriptions and their deliveries (the durable
 * outbox). A delivery is written once per event and subscription (stable id
 * `<eventId>.<subscriptionId>`), attempted at once, and retried by the
 * reconciler with exponential backoff until it is delivered or the event is
 * older than the retry horizon (then it is parked `dead`).
 */
export type WebhookKind = 'json' | 'slack';

export interface WebhookSubscription {
  id: string;
  app: string;
  url: string;
  /** Event types, or `<prefix>.*` (e.g. `rollback.*`). */
  events: string[];
  kind: WebhookKind;
  createdAt: string;
  createdBy: string;
}

/** As stored: with the HMAC secret, which the API shows only in the answer that created it. */
export interface StoredWebhookSubscription extends WebhookSubscription {
  secret: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface WebhookDelivery {
  /** `<eventId>.<subscriptionId>`: the same for every attempt, for the receiver's deduplication. */
  id: string;
  subscriptionId: string;
  app: string;
  eventId: string;
  eventType: OutboundEventType;
  eventAt: string;
  /** The exact bytes every attempt sends (signed per attempt with a fresh timestamp). */
  body: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: string;
  /** While pending: when the next attempt is due (the reconciler's index). */
  nextAttemptAt?: string;
  lastAttemptAt?: string;
  /** The receiver's last HTTP status, or why there was none. */
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: string;
}

/** Where subscriptions and deliveries live; every subscription change is written with its audit event. */
export interface WebhookStore {
  subscribe(subscription: StoredWebhookSubscription, audit: AuditEvent): Promise<void>;
  subscriptions(app: string): Promise<StoredWebhookSubscription[]>;
  subscription(app: string, id: string): Promise<StoredWebhookSubscription | undefined>;
  /** False when there was no such subscription. */
  unsubscribe(app: string, id: string, audit: AuditEvent): Promise<boolean>;
  /** Writes the delivery unless one with its id exists (a redelivered stream record); false then. */
  addDelivery(delivery: WebhookDelivery): Promise<boolean>;
  /** Takes a pending delivery for one attempt: moves its due time to `until` if it is still as read; false when another pass took it. */
  claim(delivery: WebhookDelivery, until: string): Promise<boolean>;
  /** Records an attempt's outcome, if nobody recorded one since `delivery` was read. */
  saveAttempt(delivery: WebhookDelivery, previousAttempts: number): Promise<void>;
  /** Newest first. */
  deliveries(subscriptionId: string, limit: number): Promise<WebhookDelivery[]>;
  /** Pending deliveries due by `now`, earliest first (an index Query). */
  due(now: string, limit: number): Promise<WebhookDelivery[]>;
}

/** One HTTP POST; never throws: no answer is `{ error }`. */
export interface WebhookTransport {
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status?: number; error?: string }>;
}

export interface RetryPolicy {
  /** The first retry's delay; each further one doubles, up to `capSeconds`. */
  baseSeconds: number;
  capSeconds: number;
  /** Counted from the event: no attempt after this; the delivery is parked `dead`. */
  giveUpAfterSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseSeconds: 30, capSeconds: 3600, giveUpAfterSeconds: 24 * 3600 };

/**
 * When to try again after `attempts` failed attempts, or undefined when that
 * would be past the horizon (dead). Equal jitter: half the delay is fixed,
 * half random, so retries of many deliveries spread out but never come at once.
 */
export function nextAttemptAt(policy: RetryPolicy, attempts: number, eventAt: string, now: Date, random: () => number): string | undefined {
  const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** Math.max(0, attempts - 1)) * 1000;
  const next = now.getTime() + ceiling / 2 + (random() * ceiling) / 2;
  return next > Date.parse(eventAt) + policy.giveUpAfterSeconds * 1000 ? undefined : new Date(next).toISOString();
}

/** Which subscriptions hear an event: a listed type, or a `<prefix>.*` covering it. */
export function subscribesTo(subscription: Pick<WebhookSubscription, 'events'>, type: OutboundEventType): boolean {
  return subscription.events.some((pattern) => pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}

/** A pattern a subscription may list: a known type, or `<prefix>.*` covering at least one. */
export const isEventPattern = (pattern: string): boolean =>
  pattern.endsWith('.*') ? OUTBOUND_EVENT_TYPES.some((type) => subscribesTo({ events: [pattern] }, type)) : OUTBOUND_EVENT_TYPES.includes(pattern as OutboundEventType);

/** The JSON body of a `json` delivery (the event as is). */
export const jsonBody = (event: OutboundEvent): string => JSON.stringify({ id: event.id, type: event.type, at: event.at, actor: event.actor, subject: event.subject });

export const deliveryId = (eventId: string, subscriptionId: string): string => `${eventId}.${subscriptionId}`;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the timestamp is signed too, so a captured delivery cannot be replayed later. */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Where a subscription posts, as logs and audit events may show it: the origin only (a Slack URL's path is its credential). */
export const urlOrigin = (url: string): string => new URL(url).origin;

/** 32 random bytes; shown once, kept for signing. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

export const WEBHOOK_ID = /^wh_[A-Za-z0-9-]{1,64}$/;
