import { LinkKeySetError } from './errors';
/**
 * The link-signing key set and its rotation, as pure functions.
 *
 * Links are signed with the `current` key and carry its id. A rotation makes a
 * fresh key current and keeps the one it replaces in `previous`, with the time
 * it stopped signing, for KEY_RETENTION_SECONDS: longer than any link signed
 * with it can live. So no rotation, scheduled or started by hand, ever
 * invalidates an outstanding link; a key is dropped only by a later rotation,
 * once every link it signed has expired.
 *
 * Stored form (the Secrets Manager secret value):
 *
 *   {"current":  {"id": "k20260301-3fa9c1", "key": "…", "createdAt": "2026-03-01T00:00:00.000Z"},
 *    "previous": [{"id": "k0", "key": "…", "retiredAt": "2026-03-01T00:00:00.000Z"}]}
 *
 * A plain string (the secret as first created, or LINK_SIGNING_SECRET locally)
 * is read as a key set of that one key, with the fixed id SINGLE_KEY_ID.
 */

const DAY_SECONDS = 24 * 3600;

/**
 * The longest an approval link lives: the maximum approval timeout of a policy
 * (functions/domain/policy.ts; test/domain/link-keys.test.ts pins the two together).
 */
export const MAX_LINK_LIFETIME_SECONDS = 30 * DAY_SECONDS;

/**
 * Slack on top of the link lifetime: the signing functions cache the key set for
 * minutes (so a just-retired key may still sign briefly) and clocks drift.
 */
export const RETENTION_MARGIN_SECONDS = DAY_SECONDS;

/** How long a retired key keeps verifying links. */
export const KEY_RETENTION_SECONDS = MAX_LINK_LIFETIME_SECONDS + RETENTION_MARGIN_SECONDS;

/**
 * The shortest scheduled rotation interval CDK accepts (days). Not needed for
 * correctness (retention is by time); it bounds the key set to the current key
 * and at most two retired ones on schedule.
 */
export const MIN_ROTATION_INTERVAL_DAYS = MAX_LINK_LIFETIME_SECONDS / DAY_SECONDS;

/** Id of the only key of a plain-string secret; also what links without a key id were signed with. */
export const SINGLE_KEY_ID = 'k0';

/** HMAC keys are at least this long (the same floor as LINK_SIGNING_SECRET). */
export const MIN_KEY_LENGTH = 32;

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface LinkKey {
  id: string;
  key: string;
}

export interface CurrentLinkKey extends LinkKey {
  /** When it became current (ISO 8601); absent for a plain-string secret. */
  createdAt?: string;
}

export interface RetiredLinkKey extends LinkKey {
  /** When it stopped signing (ISO 8601); it verifies until KEY_RETENTION_SECONDS after. */
  retiredAt: string;
}

export interface LinkKeySet {
  current: CurrentLinkKey;
  previous: RetiredLinkKey[];
}

export { LinkKeySetError };

export function singleKeySet(key: string): LinkKeySet {
  assertKeyMaterial(key, SINGLE_KEY_ID);
  return { current: { id: SINGLE_KEY_ID, key }, previous: [] };
}

/** Reads a secret value: a JSON key set, or a plain string as a single key. */
export function parseLinkKeySet(text: string): LinkKeySet {
  if (!text.trimStart().startsWith('{')) return singleKeySet(text);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new LinkKeySetError('the link-signing key set is not valid JSON');
  }
  if (!isRecord(raw)) throw new LinkKeySetError('the link-signing key set must be a JSON object');
  const current = readKey(raw.current, 'current');
  const createdAt = optionalTime(isRecord(raw.current) ? raw.current.createdAt : undefined, 'current.createdAt');
  if (raw.previous !== undefined && !Array.isArray(raw.previous)) throw new LinkKeySetError('previous must be an array of retired keys');
  const previous = ((raw.previous as unknown[] | undefined) ?? []).map((entry, i): RetiredLinkKey => {
    const key = readKey(entry, `previous[${i}]`);
    const retiredAt = optionalTime(isRecord(entry) ? entry.retiredAt : undefined, `previous[${i}].retiredAt`);
    if (retiredAt === undefined) throw new LinkKeySetError(`previous[${i}].retiredAt is required`);
    return { ...key, retiredAt };
  });
  const set: LinkKeySet = { current: createdAt === undefined ? current : { ...current, createdAt }, previous };
  assertUniqueIds(set);
  return set;
}

export function serializeLinkKeySet(set: LinkKeySet): string {
  return JSON.stringify(set);
}

/** Every key that verifies links, current first. */
export function verifyingKeys(set: LinkKeySet): LinkKey[] {
  return [set.current, ...set.previous];
}

export function findLinkKey(set: LinkKeySet, id: string): LinkKey | undefined {
  return verifyingKeys(set).find((key) => key.id === id);
}

/** Whether a retired key may still have signed a live link at `now`. */
export function isRetained(key: RetiredLinkKey, now: Date): boolean {
  return now.getTime() - Date.parse(key.retiredAt) < KEY_RETENTION_SECONDS * 1000;
}

/**
 * The key set after a rotation at `now`: `fresh` signs from now on, the current
 * key retires (it still verifies), retired keys past their retention are dropped.
 */
export function rotateLinkKeySet(set: LinkKeySet, fresh: LinkKey, now: Date): LinkKeySet {
  assertKeyMaterial(fresh.key, fresh.id);
  if (!KEY_ID.test(fresh.id)) throw new LinkKeySetError(`the new key id ${JSON.stringify(fresh.id)} is not a valid key id`);
  if (findLinkKey(set, fresh.id)) throw new LinkKeySetError(`the new key id ${fresh.id} is already in the key set`);
  const at = now.toISOString();
  const retired: RetiredLinkKey = { id: set.current.id, key: set.current.key, retiredAt: at };
  return {
    current: { id: fresh.id, key: fresh.key, createdAt: at },
    previous: [retired, ...set.previous.filter((key) => isRetained(key, now))],
  };
}

/**
 * The check of a rotation's result before it becomes current (Secrets Manager's
 * testSecret step): a new key signs, and every key that may have signed a live
 * link is still there, unchanged.
 */
export function assertRotationKeepsLinks(before: LinkKeySet, after: LinkKeySet, now: Date): void {
  if (findLinkKey(before, after.current.id)) throw new LinkKeySetError(`the rotated key set still signs with ${after.current.id}`);
  const mustKeep = [before.current, ...before.previous.filter((key) => isRetained(key, now))];
  const lost = mustKeep.filter((key) => findLinkKey(after, key.id)?.key !== key.key).map((key) => key.id);
  if (lost.length > 0) throw new LinkKeySetError(`the rotated key set drops or changes keys that live links use: ${lost.join(', ')}`);
}

function readKey(value: unknown, where: string): LinkKey {
  if (!isRecord(value)) throw new LinkKeySetError(`${where} must be an object with id and key`);
  const { id, key } = value;
  if (typeof id !== 'string' || !KEY_ID.test(id)) throw new LinkKeySetError(`${where}.id must be 1-64 letters, digits, '.', '_' or '-'`);
  if (typeof key !== 'string') throw new LinkKeySetError(`${where}.key must be a string`);
  assertKeyMaterial(key, id);
  return { id, key };
}

function assertKeyMaterial(key: string, id: string): void {
  if (key.length < MIN_KEY_LENGTH) throw new LinkKeySetError(`link-signing key ${id} is shorter than ${MIN_KEY_LENGTH} characters`);
}

function optionalTime(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new LinkKeySetError(`${where} must be an ISO 8601 time`);
  return value;
}

function assertUniqueIds(set: LinkKeySet): void {
  const ids = verifyingKeys(set).map((key) => key.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new LinkKeySetError(`key id ${duplicate} appears twice in the link-signing key set`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
