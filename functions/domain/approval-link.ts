import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidLinkError, LinkExpiredError } from './errors';
import { findLinkKey, SINGLE_KEY_ID, singleKeySet, type LinkKeySet } from './link-keys';

/**
 * What an emailed approval link grants: one approver, one release, one
 * environment, until the request expires. The link carries this claim, the id
 * of the key that signed it and an HMAC-SHA-256 over both; single use is
 * enforced by the stored vote, not here.
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

/** A key set, or a plain key (LINK_SIGNING_SECRET, tests) read as a key set of one key. */
export type LinkSigningKeys = LinkKeySet | string;

/**
 * Where signers and verifiers get the keys. `keyId` is the key a link names:
 * a source that caches may refetch when it does not know it (a rotation happened).
 */
export type SigningKeySource = (keyId?: string) => Promise<LinkSigningKeys>;

interface EncodedClaim {
  /** Key id; links signed before key ids existed have none and were signed with SINGLE_KEY_ID. */
  k?: string;
  r: string;
  p?: string;
  e: string;
  a: string;
  x: number;
}

/** base64url of a 32-byte HMAC-SHA-256, unpadded. */
const MAC_CHARS = 43;
/** Far above any real claim (ids, an email address, an app name); bounds the work on garbage. */
const MAX_CLAIM_CHARS = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const encode = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Node's decoder is lenient: it skips characters outside the alphabet, accepts
 * `+/` and `=`, and ignores the unused low bits of the last character, so many
 * strings decode to the same bytes. Only the one canonical spelling is a link.
 */
function decodeCanonical(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (!BASE64URL.test(text) || bytes.toString('base64url') !== text) throw new InvalidLinkError(`the approval link's ${what} is not canonical base64url`);
  return bytes;
}

const keySetOf = (keys: LinkSigningKeys): LinkKeySet => (typeof keys === 'string' ? singleKeySet(keys) : keys);

function mac(key: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`gatekeeper-approval-link.v1.${payload}`).digest();
}

/** Signs with the current key of the set and names it in the claim. */
export function signLink(claim: LinkClaim, keys: LinkSigningKeys): string {
  const { current } = keySetOf(keys);
  const encoded: EncodedClaim = { k: current.id, r: claim.releaseId, ...(claim.app ? { p: claim.app } : {}), e: claim.environment, a: claim.approver, x: claim.expiresAt };
  const payload = encode(JSON.stringify(encoded));
  return `${payload}.${encode(mac(current.key, payload))}`;
}

/**
 * The key id a link names, unverified: only to pick (or fetch) the key that
 * `verifySignature` then checks it with. Undefined when the link is malformed.
 */
export function linkKeyId(token: string): string | undefined {
  try {
    return keyIdOf(readClaim(splitToken(token).payload));
  } catch {
    return undefined;
  }
}

/** Verifies the signature only: who the link speaks for. Expiry is a separate question (`assertLinkLive`). */
export function verifySignature(token: string, keys: LinkSigningKeys): LinkClaim {
  const { payload, signature } = splitToken(token);
  if (signature.length !== MAC_CHARS) throw new InvalidLinkError('the approval link signature has the wrong length');
  const given = decodeCanonical(signature, 'signature');
  const raw = readClaim(payload);
  const key = findLinkKey(keySetOf(keys), keyIdOf(raw));
  // An unknown id: a forged link, or one whose key was retired long after the link expired.
  if (!key) throw new InvalidLinkError('the approval link was signed with a key that is not (or no longer) valid');
  if (!timingSafeEqual(given, mac(key.key, payload))) {
    throw new InvalidLinkError('the approval link signature does not match; it may have been altered');
  }
  return toClaim(raw);
}

export function assertLinkLive(claim: LinkClaim, now: Date): void {
  if (now.getTime() / 1000 >= claim.expiresAt) {
    throw new LinkExpiredError(`this approval link expired at ${new Date(claim.expiresAt * 1000).toISOString()}`);
  }
}

/** Verifies signature first, then expiry; a tampered link never reveals whether it expired. */
export function verifyLink(token: string, keys: LinkSigningKeys, now: Date): LinkClaim {
  const claim = verifySignature(token, keys);
  assertLinkLive(claim, now);
  return claim;
}

function splitToken(token: string): { payload: string; signature: string } {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw new InvalidLinkError('the approval link is malformed');
  return { payload, signature };
}

const keyIdOf = (raw: EncodedClaim): string => raw.k ?? SINGLE_KEY_ID;

/** Decodes the claim part strictly; its signature is checked by the caller. */
function readClaim(payload: string): EncodedClaim {
  if (payload.length > MAX_CLAIM_CHARS) throw new InvalidLinkError('the approval link is malformed');
  const bytes = decodeCanonical(payload, 'claim');
  try {
    const raw = JSON.parse(bytes.toString('utf8')) as Partial<EncodedClaim>;
    if (
      typeof raw.r === 'string' && typeof raw.e === 'string' && typeof raw.a === 'string' && typeof raw.x === 'number' &&
      (raw.k === undefined || typeof raw.k === 'string') && (raw.p === undefined || typeof raw.p === 'string')
    ) {
      return raw as EncodedClaim;
    }
  } catch {
    // fall through: an unreadable claim is as invalid as an unsigned one
  }
  throw new InvalidLinkError('the approval link is malformed');
}

function toClaim(raw: EncodedClaim): LinkClaim {
  return { releaseId: raw.r, ...(raw.p !== undefined ? { app: raw.p } : {}), environment: raw.e, approver: raw.a, expiresAt: raw.x };
}
