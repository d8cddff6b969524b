import { Hono } from 'hono';
import * as z from 'zod/mini';
import { isLoopbackUrl } from '../../config';
import { ValidationError } from '../../domain/errors';
import { preview } from '../../domain/names';
import { isEventPattern, WEBHOOK_ID } from '../../domain/webhooks';
import { listDeliveries, listSubscriptions, subscribe, unsubscribe } from '../../usecases/webhooks';
import type { ApiDeps, ApiEnv } from '../deps';
import { appParam } from '../params';
import { readJson } from '../read-json';

/** https, or http on a loopback host (a receiver on the same machine); no credentials in the URL. The rules run only on a URL (a pipe stops at the first failure). */
const webhookUrl = z.pipe(
  z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).check(z.maxLength(2048)),
  z.string().check(
    z.refine((value) => value.startsWith('https://') || isLoopbackUrl(value), 'must be https:// (plain http only on 127.0.0.1, localhost or [::1])'),
    z.refine((value) => !new URL(value).username && !new URL(value).password, 'must not carry a user name or password'),
  ),
);

export const webhookSchema = z.strictObject({
  url: webhookUrl,
  events: z.array(z.string().check(z.maxLength(64), z.refine(isEventPattern, 'must be a known event type or <prefix>.* (README "Webhooks")'))).check(z.minLength(1), z.maxLength(20)),
  kind: z.optional(z.enum(['json', 'slack'])),
});

function webhookIdParam(id: string | undefined): string {
  if (!id || !WEBHOOK_ID.test(id)) throw new ValidationError(`${preview(id ?? '')} is not a webhook id (wh_…)`);
  return id;
}

/** `/v1/apps/{app}/webhooks`: the app's admins subscribe (the secret is shown once), list, delete and read the delivery log. */
export function webhookRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  routes.post('/:app/webhooks', async (c) => {
    const app = appParam(c);
    const { subscription, secret } = await subscribe(deps, c.get('identity'), app, await readJson(c, webhookSchema));
    c.header('cache-control', 'no-store');
    return c.json({ ...subscription, secret, note: 'the secret is shown only now; store it to verify X-Gatekeeper-Signature' }, 201);
  });

  routes.get('/:app/webhooks', async (c) => c.json({ webhooks: await listSubscriptions(deps, c.get('identity'), appParam(c)) }));

  routes.delete('/:app/webhooks/:id', async (c) => {
    const app = appParam(c);
    return c.json(await unsubscribe(deps, c.get('identity'), app, webhookIdParam(c.req.param('id'))));
  });

  routes.get('/:app/webhooks/:id/deliveries', async (c) => {
    const app = appParam(c);
    const id = webhookIdParam(c.req.param('id'));
    return c.json({ deliveries: await listDeliveries(deps, c.get('identity'), app, id, 100) });
  });

  return routes;
}
