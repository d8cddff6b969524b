import { createMiddleware } from 'hono/factory';
import { UnauthenticatedError } from '../domain/errors';
import { hashToken } from '../domain/token';
import type { ApiDeps, ApiEnv } from './deps';

/** Bearer-token authentication for the API; sets the caller's identity. */
export function requireToken(deps: Pick<ApiDeps, 'tokens' | 'clock'>) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new UnauthenticatedError('send "Authorization: Bearer <token>" with a Gatekeeper API token');
    }
    const stored = await deps.tokens.find(hashToken(token));
    const now = deps.clock().toISOString();
    if (!stored || stored.revokedAt || (stored.expiresAt && stored.expiresAt <= now)) {
      throw new UnauthenticatedError('the API token is unknown, revoked or expired');
    }
    c.set('identity', stored.identity);
    await next();
  });
}
