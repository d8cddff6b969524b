import { createHash } from 'node:crypto';
import type { AuditEvent } from './audit';

/**
 * Tamper-evident audit log. Each app's events form a hash chain: event n
 * stores its place `seq` = n and `prevHash`, the hash of event n-1, and its own
 * `hash` covers its whole content including both. Changing, removing,
 * reordering or inserting an event therefore breaks the chain at that event,
 * unless every later hash is recomputed too, which a head recorded elsewhere
 * (or a later export) then contradicts.
 *
 * The serialization below is frozen: every stored hash depends on it. A change
 * to it needs a new domain-separation prefix (`gatekeeper-audit-v2`), not an edit.
 */

/** The last link of a chain: seq 0 and GENESIS_HASH before the first event. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
export const EMPTY_CHAIN: ChainHead = Object.freeze({ seq: 0, hash: GENESIS_HASH });

export interface ChainedAuditEvent extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

// ---------------------------------------------------------------------------
// Canonical serialization and hashing

/**
 * Deterministic JSON: object keys sorted by UTF-16 code unit, no whitespace,
 * arrays in order, undefined properties dropped, numbers in JavaScript's
 * shortest round-trip form (as JSON.stringify writes them; -0 becomes 0).
 * Anything that would not survive a JSON (or DynamoDB) round trip unchanged
 * throws instead of being coerced, so a hash never covers a value that reads
 * back differently: non-finite numbers, bigint, functions, symbols, undefined
 * array entries, cycles and non-plain objects (Date, Map, class instances).
 */
export function canonicalize(value: unknown): string {
  return serialize(value, [], [], undefined);
}

/**
 * Verification hashes every event, so this is the hot loop of a verify: the
 * path for an error message is only spelled out when one is thrown (`trail`
 * holds its keys meanwhile), cycles are looked for on the short stack of
 * enclosing objects, and the output is one string built in place.
 */
type Trail = Array<string | number>;

const pathOf = (trail: Trail) => `$${trail.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('')}`;

function serialize(value: unknown, trail: Trail, ancestors: object[], skip: string | undefined): string {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes lone surrogates, so the UTF-8 we hash is lossless.
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${pathOf(trail)}: ${value} is not a finite number and has no JSON form`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.includes(value)) throw new TypeError(`${pathOf(trail)}: circular reference`);
      ancestors.push(value);
      const text = Array.isArray(value) ? serializeArray(value, trail, ancestors) : serializeObject(value, trail, ancestors, skip);
      ancestors.pop();
      return text;
    }
    default:
      throw new TypeError(`${pathOf(trail)}: ${value === undefined ? 'undefined' : `a ${typeof value}`} cannot be serialized as JSON`);
  }
}

function serializeArray(items: readonly unknown[], trail: Trail, ancestors: object[]): string {
  let text = '[';
  // An index loop, not map: map skips holes, which would silently change the length.
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    trail.push(i);
    if (item === undefined) throw new TypeError(`${pathOf(trail)}: undefined has no JSON form inside an array`);
    text += (i === 0 ? '' : ',') + serialize(item, trail, ancestors, undefined);
    trail.pop();
  }
  return `${text}]`;
}

/** Events repeat the same few keys: quote each once (bounded, since detail keys are the caller's). */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 1_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function serializeObject(object: object, trail: Trail, ancestors: object[], skip: string | undefined): string {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    const kind = (object as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new TypeError(`${pathOf(trail)}: a ${kind} is not plain JSON; convert it first (e.g. a Date to an ISO string)`);
  }
  if (Object.getOwnPropertySymbols(object).length > 0) throw new TypeError(`${pathOf(trail)}: symbol keys cannot be serialized as JSON`);
  const record = object as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined || key === skip) continue;
    trail.push(key);
    text += `${text.length === 1 ? '' : ','}${quotedKey(key)}:${serialize(member, trail, ancestors, undefined)}`;
    trail.pop();
  }
  return `${text}}`;
}

/** Keeps these hashes from ever colliding with another SHA-256 use of the same bytes. */
const HASH_DOMAIN = 'gatekeeper-audit-v1\n';

/**
 * Hex SHA-256 of the event's canonical form without `hash`. Every other own
 * property is covered, so a field added to a stored or exported event is
 * detected; storage attributes (pk, sk, kind…) must be stripped before hashing.
 */
export function hashEvent(event: Omit<ChainedAuditEvent, 'hash'>): string {
  // A ChainedAuditEvent is assignable to this parameter: its stored hash is skipped rather than hashed into itself.
  return createHash('sha256').update(HASH_DOMAIN + serialize(event, [], [], 'hash'), 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------
// Appending

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * Links new events after `head` (EMPTY_CHAIN for an app's first event). The
 * caller writes them in one transaction with a condition on the head, so two
 * writers cannot both claim the same seq. One chain per app: events of two
 * apps in one call are refused rather than interleaved into one chain.
 */
export function chainEvents(head: ChainHead, events: AuditEvent[]): { events: ChainedAuditEvent[]; head: ChainHead } {
  if (!Number.isSafeInteger(head.seq) || head.seq < 0 || !HEX_HASH.test(head.hash)) {
    throw new TypeError(`invalid chain head ${JSON.stringify(head)}: seq must be an integer ≥ 0 and hash 64 lowercase hex digits`);
  }
  const apps = new Set(events.map((event) => event.app));
  if (apps.size > 1) throw new TypeError(`events of several apps (${[...apps].join(', ')}) cannot share one chain: chain each app separately`);
  let link: ChainHead = { seq: head.seq, hash: head.hash };
  const chained = events.map((event): ChainedAuditEvent => {
    const unhashed = { ...event, seq: link.seq + 1, prevHash: link.hash };
    const hash = hashEvent(unhashed);
    link = { seq: unhashed.seq, hash };
    return { ...unhashed, hash };
  });
  return { events: chained, head: link };
}

// ---------------------------------------------------------------------------
// Verifying

export type ChainBreak =
  /** The stored hash does not match the recomputed hash of the stored content. */
  | { kind: 'changed'; seq: number; detail: string }
  /** prevHash does not equal the previous event's hash. */
  | { kind: 'broken-link'; seq: number; detail: string }
  /** A sequence number is absent (gap, truncation), or the chain does not start at 1. */
  | { kind: 'missing'; seq: number; detail: string }
  /** Events out of sequence order, or a seq that appears twice. */
  | { kind: 'reordered'; seq: number; detail: string };

export interface VerifyResult {
  ok: boolean;
  /** How many events were given. */
  events: number;
  /** The verified chain's last link; only when ok. */
  head?: ChainHead;
  firstBreak?: ChainBreak;
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;
const range = (from: number, to: number) => (from === to ? `event ${from} is` : `events ${from}–${to} are`);

/**
 * Checks events in the order given (never sorted: order is part of what is
 * verified) and reports the first break. At each position: seq continuity,
 * then the link to the previous event, then the event's own hash. The link
 * uses the previous event's stored hash, so editing an event and recomputing
 * its hash shows up as a broken link at the next event.
 *
 * `startAfter` verifies a page that continues from a known link (default:
 * the genesis). `expectedHead`, obtained independently of the events, detects
 * truncation: the events must end exactly at it.
 */
export function verifyChain(events: ChainedAuditEvent[], options: { expectedHead?: ChainHead; startAfter?: ChainHead } = {}): VerifyResult {
  const start = options.startAfter ?? EMPTY_CHAIN;
  const broken = (firstBreak: ChainBreak): VerifyResult => ({ ok: false, events: events.length, firstBreak });
  let previous: ChainHead = start;

  for (const [i, event] of events.entries()) {
    const expected = previous.seq + 1;
    const sequenceBreak = checkSequence(events, i, previous, start);
    if (sequenceBreak) return broken(sequenceBreak);
    if (event.prevHash !== previous.hash) {
      const predecessor = previous.seq === 0 ? 'the genesis hash' : `event ${previous.seq}'s hash (${short(previous.hash)})`;
      return broken({
        kind: 'broken-link',
        seq: expected,
        detail: `event ${expected} does not follow from event ${previous.seq}: its prevHash (${short(String(event.prevHash))}) is not ${predecessor}, so one of them was altered or replaced`,
      });
    }
    if (!contentMatches(event)) {
      return broken({ kind: 'changed', seq: expected, detail: `event ${expected} was changed after it was written: its content no longer matches its hash` });
    }
    previous = { seq: event.seq, hash: event.hash };
  }

  const headBreak = options.expectedHead && checkHead(events, start, previous, options.expectedHead);
  return headBreak ? broken(headBreak) : { ok: true, events: events.length, head: previous };
}

function checkSequence(events: ChainedAuditEvent[], i: number, previous: ChainHead, start: ChainHead): ChainBreak | undefined {
  const { seq } = events[i] as ChainedAuditEvent;
  const expected = previous.seq + 1;
  if (seq === expected) return undefined;
  if (!Number.isSafeInteger(seq)) {
    return { kind: 'changed', seq: expected, detail: `the event after event ${previous.seq} has no valid sequence number (${JSON.stringify(seq)})` };
  }
  if (seq > expected) {
    // A skipped seq that turns up later is an ordering problem, not a gap: a swap of 5 and 6 is reported at 5 either way.
    if (events.slice(i + 1).some((later) => later.seq === expected)) {
      return { kind: 'reordered', seq: expected, detail: `event ${expected} is out of order: event ${seq} comes before it` };
    }
    const context = i === 0 ? (start.seq === 0 ? `the log starts at event ${seq}, not 1` : `the log should continue from event ${start.seq} but starts at event ${seq}`) : `the log jumps from event ${previous.seq} to event ${seq}`;
    return { kind: 'missing', seq: expected, detail: `${range(expected, seq - 1)} missing: ${context}` };
  }
  const detail =
    seq <= start.seq
      ? `event ${seq} is out of place: this log continues from event ${start.seq}, so it cannot contain event ${seq}`
      : `event ${seq} appears more than once: it appears again after event ${previous.seq}`;
  return { kind: 'reordered', seq, detail };
}

function contentMatches(event: ChainedAuditEvent): boolean {
  try {
    return hashEvent(event) === event.hash;
  } catch {
    // Content that cannot even be serialized was not what was hashed when written.
    return false;
  }
}

function checkHead(events: ChainedAuditEvent[], start: ChainHead, last: ChainHead, head: ChainHead): ChainBreak | undefined {
  if (last.seq === head.seq) {
    if (last.hash === head.hash) return undefined;
    return { kind: 'changed', seq: head.seq, detail: `event ${head.seq} does not match the expected head: its hash is ${short(last.hash)} but the head records ${short(head.hash)}` };
  }
  if (last.seq < head.seq) {
    return { kind: 'missing', seq: head.seq, detail: `${range(last.seq + 1, head.seq)} missing: the log ends at event ${last.seq} but its head is event ${head.seq}, so it was truncated` };
  }
  // The log runs past the head: either the head's own event differs, or events were added after the head was recorded.
  const atHead = head.seq === start.seq ? start : events.find((event) => event.seq === head.seq);
  if (atHead && atHead.hash !== head.hash) {
    return { kind: 'changed', seq: head.seq, detail: `event ${head.seq} does not match the expected head: its hash is ${short(atHead.hash)} but the head records ${short(head.hash)}` };
  }
  return {
    kind: 'changed',
    seq: head.seq + 1,
    detail: `event ${head.seq + 1} comes after the expected head (event ${head.seq}): the log has events the head does not account for`,
  };
}

// ---------------------------------------------------------------------------
// Export formats
