import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { ApiDeps, ApiEnv } from '../deps';
import { authorizeDirectoryAdmin } from '../../usecases/directory-admin';
import { createToken, listTokens, revokeToken } from '../../usecases/tokens';
import { tokenIdParam } from '../params';
import { readJson } from '../read-json';
import { identitySchema, oneLine } from '../schemas';

export const tokenSchema = z.strictObject({
  identity: identitySchema,
  description: z.optional(oneLine(200)),
  expiresInDays: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(366))),
});

/** API tokens (admin only): created with the secret shown once, listed without it, revoked by id (the use cases the dashboard runs too). */
export function tokenRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();
  // Admin first, before any body is read.
  routes.use('*', async (c, next) => {
    await authorizeDirectoryAdmin(deps, c.get('identity'));
    await next();
  });

  routes.get('/', async (c) => c.json({ tokens: await listTokens(deps, c.get('identity')) }));

  routes.post('/', async (c) => {
    const { token, secret } = await createToken(deps, c.get('identity'), await readJson(c, tokenSchema));
    c.header('cache-control', 'no-store');
    return c.json({ ...token, token: secret, note: 'the secret is shown only now; store it' }, 201);
  });

  routes.delete('/:id', async (c) => c.json(await revokeToken(deps, c.get('identity'), tokenIdParam(c))));

  return routes;
}
