import { createHash, randomInt } from 'node:crypto';
import { canonicalJson } from './store';

/**
 * Kubernetes builds generated name suffixes and pod-template hashes from an
 * alphabet without vowels (no accidental words) and without look-alikes such
 * as 0/o and 1/l; the simulator uses the same alphabet so names look familiar.
 */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five random characters, as in `web-7d4b9c6f5-x2k9q`. */
export function randomSuffix(length = 5): string {
  let suffix = '';
  for (let i = 0; i < length; i += 1) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return suffix;
}

/** A stable 10-character hash of a pod template (its key order does not matter): the pod-template-hash label. */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(template)).digest();
  let hash = '';
  for (let i = 0; i < 10; i += 1) hash += ALPHABET[digest[i]! % ALPHABET.length];
  return hash;
}
