import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidLinkError, LinkExpiredError } from './errors';

/**
 * What an emailed approval link grants: one approver, one release, one
 * environment, until the request expires. The link carries this claim and an
 * HMAC-SHA-256 over it; single use is enforced by the stored vote, not here.
 */
export interface LinkClaim {
  releaseId: string;
  /** The app, so the decision can read the request and the app's audit-chain head in one round trip. */
  app?: string;
  environment: string;
  approver: string;
  /** Expiry, epoch seconds. */
  expiresAt: number;
}

interface EncodedClaim {
  r: string;
  p?: string;
  e: string;
  a: string;
  x: number;
}

const encode = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`gatekeeper-approval-link.v1.${payload}`).digest();
}

export function signLink(claim: LinkClaim, secret: string): string {
  const encoded: EncodedClaim = { r: claim.releaseId, ...(claim.app ? { p: claim.app } : {}), e: claim.environment, a: claim.approver, x: claim.expiresAt };
  const payload = encode(JSON.stringify(encoded));
  return `${payload}.${encode(mac(secret, payload))}`;
}

/** Verifies the signature only: who the link speaks for. Expiry is a separate question (`assertLinkLive`). */
export function verifySignature(token: string, secret: string): LinkClaim {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw new InvalidLinkError('the approval link is malformed');
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidLinkError('the approval link signature does not match; it may have been altered');
  }
  return parseClaim(payload);
}

export function assertLinkLive(claim: LinkClaim, now: Date): void {
  if (now.getTime() / 1000 >= claim.expiresAt) {
    throw new LinkExpiredError(`this approval link expired at ${new Date(claim.expiresAt * 1000).toISOString()}`);
  }
}

/** Verifies signature first, then expiry; a tampered link never reveals whether it expired. */
export function verifyLink(token: string, secret: string, now: Date): LinkClaim {
  const claim = verifySignature(token, secret);
  assertLinkLive(claim, now);
  return claim;
}

function parseClaim(payload: string): LinkClaim {
  try {
    const raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<EncodedClaim>;
    if (typeof raw.r === 'string' && typeof raw.e === 'string' && typeof raw.a === 'string' && typeof raw.x === 'number') {
      return { releaseId: raw.r, ...(typeof raw.p === 'string' ? { app: raw.p } : {}), environment: raw.e, approver: raw.a, expiresAt: raw.x };
    }
  } catch {
    // fall through: a signed but unreadable claim is as invalid as an unsigned one
  }
  throw new InvalidLinkError('the approval link is malformed');
}
