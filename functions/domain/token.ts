import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken } from './catalog';

/** API tokens are 32 random bytes, shown once; only their SHA-256 is stored. */
export function generateToken(): string {
  return `gk_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The stored record of a token secret: its hash and a public id, never the secret. */
export function tokenRecord(secret: string, fields: Omit<ApiToken, 'id' | 'hash'>): ApiToken {
  return { id: `tok_${randomBytes(9).toString('base64url')}`, hash: hashToken(secret), ...fields };
}

/** CI identities are `ci:<name>`; everyone else is a person, named by email. */
export const isServiceIdentity = (identity: string): boolean => identity.startsWith('ci:');
