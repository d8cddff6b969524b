import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalize, type ChainHead } from './audit-chain';
import type { LinkSigningKeys } from './approval-link';
import { findLinkKey, singleKeySet, type LinkKeySet } from './link-keys';

/**
 * A signed checkpoint: "the chain of `app` was verified from its first event
 * to event `seq`, whose hash is `hash`, at `at`". It is written only after a
 * successful pass (from genesis, or from the previous valid checkpoint), and
 * signed with Gatekeeper's signing key (the link-signing key set, under its own
 * domain-separation prefix), which the table does not hold. So verification
 * may start at the latest checkpoint instead of the genesis: what it vouches
 * for cannot be rewritten without the key, however much of the table a
 * tamperer can write. What it does not prove: anything after `seq` (events
 * since are verified link by link as always, and truncating them is caught only
 * by a head obtained elsewhere), nor that the latest checkpoint is still there
 * (deleting it or putting back an older one only makes verification start
 * earlier).
 */
export interface AuditCheckpoint extends ChainHead {
  app: string;
  at: string;
  keyId: string;
  /** HMAC-SHA-256, base64url. */
  mac: string;
}

const DOMAIN = 'gatekeeper-audit-checkpoint-v1\n';

const keySetOf = (keys: LinkSigningKeys): LinkKeySet => (typeof keys === 'string' ? singleKeySet(keys) : keys);

function macOf(key: string, checkpoint: Omit<AuditCheckpoint, 'mac'>): Buffer {
  const { app, seq, hash, at, keyId } = checkpoint;
  return createHmac('sha256', key).update(DOMAIN + canonicalize({ app, seq, hash, at, keyId })).digest();
}

/** Signs a verified head with the current key. */
export function signCheckpoint(keys: LinkSigningKeys, app: string, head: ChainHead, at: string): AuditCheckpoint {
  const { current } = keySetOf(keys);
  const unsigned = { app, seq: head.seq, hash: head.hash, at, keyId: current.id };
  return { ...unsigned, mac: macOf(current.key, unsigned).toString('base64url') };
}

/**
 * `valid`: signed by one of the keys for this app; `forged`: the signature does
 * not match (altered, or made without the key); `unknown-key`: signed by a key
 * that has since been retired out of the set, so it can no longer be checked.
 */
export function checkCheckpoint(keys: LinkSigningKeys, app: string, checkpoint: AuditCheckpoint): 'valid' | 'forged' | 'unknown-key' {
  const key = findLinkKey(keySetOf(keys), checkpoint.keyId);
  if (!key) return 'unknown-key';
  const expected = macOf(key.key, checkpoint);
  const given = Buffer.from(checkpoint.mac, 'base64url');
  return checkpoint.app === app && given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'forged';
}
