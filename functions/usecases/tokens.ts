import { auditEvent } from '../domain/audit';
import type { ApiToken } from '../domain/catalog';
import { NotFoundError } from '../domain/errors';
import { generateToken, tokenRecord } from '../domain/token';
import type { UseCaseDeps } from './deps';
import { authorizeDirectoryAdmin } from './directory-admin';

/**
 * API tokens: the one code path behind `/v1/tokens` and the dashboard's
 * Admin page. Admins only; the secret exists only in the answer to its
 * creation (only a SHA-256 is stored); creation and revocation are audited.
 */

type Deps = Pick<UseCaseDeps, 'directory' | 'tokens' | 'clock' | 'newId'>;

/** A token as listed: never the secret, never the hash. */
export type PublicToken = Omit<ApiToken, 'hash'>;
export const publicToken = ({ hash: _hash, ...token }: ApiToken): PublicToken => token;

export async function listTokens(deps: Deps, actor: string): Promise<PublicToken[]> {
  await authorizeDirectoryAdmin(deps, actor);
  return (await deps.tokens.list()).map(publicToken);
}

export interface NewToken {
  identity: string;
  description?: string;
  expiresInDays?: number;
}

/** Creates a token for `identity` (a person's email or `ci:<name>`); the secret is returned once. */
export async function createToken(deps: Deps, actor: string, input: NewToken): Promise<{ token: PublicToken; secret: string }> {
  await authorizeDirectoryAdmin(deps, actor);
  const now = deps.clock();
  const secret = generateToken();
  const identity = input.identity.toLowerCase();
  const token = tokenRecord(secret, {
    identity,
    type: identity.startsWith('ci:') ? 'ci' : 'personal',
    createdAt: now.toISOString(),
    createdBy: actor,
    ...(input.description ? { description: input.description } : {}),
    ...(input.expiresInDays ? { expiresAt: new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString() } : {}),
  });
  await deps.tokens.create(token, auditEvent(deps, { app: '*', actor, action: 'token.created', subject: `token/${token.id}`, at: token.createdAt, detail: { identity, expiresAt: token.expiresAt } }));
  return { token: publicToken(token), secret };
}

/** Revokes a token by id (404 when there is none); it stops authenticating at once. */
export async function revokeToken(deps: Deps, actor: string, id: string): Promise<PublicToken> {
  await authorizeDirectoryAdmin(deps, actor);
  const revoked = await deps.tokens.revoke(id, auditEvent(deps, { app: '*', actor, action: 'token.revoked', subject: `token/${id}` }));
  if (!revoked) throw new NotFoundError(`no token ${id}`);
  return publicToken(revoked);
}
