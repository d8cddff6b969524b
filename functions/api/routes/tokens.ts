import { auditEvent } from '../../domain/audit';
import { Hono } from 'hono';
import * as z from 'zod/mini';
import type { ApiToken } from '../../domain/catalog';
import { NotFoundError } from '../../domain/errors';
import { generateToken, tokenRecord } from '../../domain/token';
import type { ApiDeps, ApiEnv } from '../deps';
import { authorize } from '../../usecases/permissions';
import { tokenIdParam } from '../params';
import { readJson } from '../read-json';
import { identitySchema, oneLine } from '../schemas';

const tokenSchema = z.strictObject({
  identity: identitySchema,
  description: z.optional(oneLine(200)),
  expiresInDays: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(366))),
});

/** Tokens as listed: never the secret, never the hash. */
const publicToken = ({ hash: _hash, ...token }: ApiToken) => token;

/** API tokens (admin only): created with the secret shown once, listed without it, revoked by id. */
export function tokenRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', async (c, next) => {
    await authorize(deps.directory, c.get('identity'), 'directory.manage', { app: '*', environment: '*' });
    await next();
  });

  routes.get('/', async (c) => c.json({ tokens: (await deps.tokens.list()).map(publicToken) }));

  routes.post('/', async (c) => {
    const body = await readJson(c, tokenSchema);
    const now = deps.clock();
    const secret = generateToken();
    const identity = body.identity.toLowerCase();
    const token = tokenRecord(secret, {
      identity,
      type: identity.startsWith('ci:') ? 'ci' : 'personal',
      createdAt: now.toISOString(),
      createdBy: c.get('identity'),
      ...(body.description ? { description: body.description } : {}),
      ...(body.expiresInDays ? { expiresAt: new Date(now.getTime() + body.expiresInDays * 86_400_000).toISOString() } : {}),
    });
    await deps.tokens.create(token, auditEvent(deps, {
      app: '*',
      actor: c.get('identity'),
      action: 'token.created',
      subject: `token/${token.id}`,
      at: token.createdAt,
      detail: { identity, expiresAt: token.expiresAt },
    }));
    c.header('cache-control', 'no-store');
    return c.json({ ...publicToken(token), token: secret, note: 'the secret is shown only now; store it' }, 201);
  });

  routes.delete('/:id', async (c) => {
    const id = tokenIdParam(c);
    const revoked = await deps.tokens.revoke(id, auditEvent(deps, {
      app: '*',
      actor: c.get('identity'),
      action: 'token.revoked',
      subject: `token/${id}`,
    }));
    if (!revoked) throw new NotFoundError(`no token ${id}`);
    return c.json(publicToken(revoked));
  });

  return routes;
}
