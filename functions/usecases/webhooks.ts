import { auditEvent } from '../domain/audit';
import { NotFoundError, UnknownAppError } from '../domain/errors';
import { newWebhookSecret, urlOrigin, type StoredWebhookSubscription, type WebhookDelivery, type WebhookKind, type WebhookStore, type WebhookSubscription } from '../domain/webhooks';
import type { UseCaseDeps } from './deps';
import { authorize } from './permissions';

/**
 * Webhook subscriptions of an app (B17): managed by the app's admins, each
 * change audited in its own transaction. The secret is in the answer that
 * creates a subscription and nowhere else the API shows.
 */

type Deps = Pick<UseCaseDeps, 'directory' | 'catalog' | 'clock' | 'newId'> & { webhooks: WebhookStore };

export interface NewSubscription {
  url: string;
  events: string[];
  kind?: WebhookKind;
}

const publicSubscription = ({ secret: _secret, ...subscription }: StoredWebhookSubscription): WebhookSubscription => subscription;

/** Admins of the app, and the app must exist. */
async function authorizeAppAdmin(deps: Deps, actor: string, app: string): Promise<void> {
  await authorize(deps.directory, actor, 'app.manage', { app, environment: '*' });
  if (!(await deps.catalog.getApp(app))) throw new UnknownAppError(`no app named "${app}"`);
}

export async function subscribe(deps: Deps, actor: string, app: string, input: NewSubscription): Promise<{ subscription: WebhookSubscription; secret: string }> {
  await authorizeAppAdmin(deps, actor, app);
  const subscription: StoredWebhookSubscription = {
    id: `wh_${deps.newId()}`,
    app,
    url: input.url,
    events: [...new Set(input.events)],
    kind: input.kind ?? 'json',
    secret: newWebhookSecret(),
    createdAt: deps.clock().toISOString(),
    createdBy: actor,
  };
  // The audit trail names where it posts by origin only: a Slack URL's path is its credential.
  const detail = { target: urlOrigin(subscription.url), events: subscription.events, kind: subscription.kind };
  await deps.webhooks.subscribe(subscription, auditEvent(deps, { app, actor, action: 'webhook.subscribed', subject: `app/${app}/webhook/${subscription.id}`, at: subscription.createdAt, detail }));
  return { subscription: publicSubscription(subscription), secret: subscription.secret };
}

export async function listSubscriptions(deps: Deps, actor: string, app: string): Promise<WebhookSubscription[]> {
  await authorizeAppAdmin(deps, actor, app);
  return (await deps.webhooks.subscriptions(app)).map(publicSubscription);
}

/** Its pending deliveries are parked `dead` by the reconciler when they come due. */
export async function unsubscribe(deps: Deps, actor: string, app: string, id: string): Promise<{ deleted: string }> {
  await authorizeAppAdmin(deps, actor, app);
  const found = await deps.webhooks.subscription(app, id);
  if (!found) throw new NotFoundError(`app ${app} has no webhook ${id}`);
  const audit = auditEvent(deps, { app, actor, action: 'webhook.deleted', subject: `app/${app}/webhook/${id}`, detail: { target: urlOrigin(found.url), events: found.events, kind: found.kind } });
  if (!(await deps.webhooks.unsubscribe(app, id, audit))) throw new NotFoundError(`app ${app} has no webhook ${id}`);
  return { deleted: id };
}

/** The subscription's latest deliveries, newest first: status, attempts, last answer, next attempt. Never the body's signature or the secret. */
export async function listDeliveries(deps: Deps, actor: string, app: string, id: string, limit: number): Promise<Omit<WebhookDelivery, 'body'>[]> {
  await authorizeAppAdmin(deps, actor, app);
  if (!(await deps.webhooks.subscription(app, id))) throw new NotFoundError(`app ${app} has no webhook ${id}`);
  return (await deps.webhooks.deliveries(id, limit)).map(({ body: _body, ...delivery }) => delivery);
}
