import { createMiddleware } from 'hono/factory';
import { UnauthenticatedError } from '../domain/errors';
import { hashToken } from '../domain/token';
import type { ApiDeps, ApiEnv } from './deps';
import { withRequestDirectory } from './request-directory';

/**
 * Exactly `Bearer <token>` (the scheme is case-insensitive, RFC 9110): one
 * space, then one RFC 6750 b64token of a sane length, and nothing after it.
 * Anything else (`Bearer <token> junk`, two tokens, a tab) is refused rather
 * than guessed at, so what is authenticated is what was sent.
 */
const BEARER = /^bearer ([A-Za-z0-9._~+/-]{1,512}=*)$/i;

/** Bearer-token authentication for the API; sets the caller's identity. */
export function requireToken(deps: Pick<ApiDeps, 'tokens' | 'clock'>) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (!token) {
      throw new UnauthenticatedError(`send exactly "Authorization: Bearer <token>" with a Gatekeeper API token${header ? '; the header sent is malformed' : ''}`);
    }
    // The directory comes in the same round trip: nearly every /v1 route authorizes, and its checks read this one
    // (request-directory.ts) instead of reading it again. Read per request, never kept: a revoked token or grant counts at once.
    const { token: stored, directory } = await deps.tokens.findWithDirectory(hashToken(token));
    const now = deps.clock().toISOString();
    if (!stored || stored.revokedAt || (stored.expiresAt && stored.expiresAt <= now)) {
      throw new UnauthenticatedError('the API token is unknown, revoked or expired');
    }
    c.set('identity', stored.identity);
    await withRequestDirectory(directory, next);
  });
}
