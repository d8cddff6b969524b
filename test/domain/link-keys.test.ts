import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signLink, verifyLink } from '../../functions/domain/approval-link';
import { ValidationError } from '../../functions/domain/errors';
import {
  assertRotationKeepsLinks,
  KEY_RETENTION_SECONDS,
  LinkKeySetError,
  MAX_LINK_LIFETIME_SECONDS,
  parseLinkKeySet,
  rotateLinkKeySet,
  serializeLinkKeySet,
  SINGLE_KEY_ID,
  type LinkKeySet,
} from '../../functions/domain/link-keys';
import { parsePolicy } from '../../functions/domain/policy';

const DAY = 24 * 3600 * 1000;
const key = (char: string) => char.repeat(43);
const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

describe('reading the secret', () => {
  it('reads a plain string as one key with the fixed id', () => {
    expect(parseLinkKeySet(key('s'))).toEqual({ current: { id: SINGLE_KEY_ID, key: key('s') }, previous: [] });
    expect(() => parseLinkKeySet('short')).toThrow(LinkKeySetError);
  });

  it('reads and writes a JSON key set', () => {
    const set: LinkKeySet = {
      current: { id: 'k20300101-abcdef', key: key('c'), createdAt: t0.toISOString() },
      previous: [{ id: 'k0', key: key('p'), retiredAt: t0.toISOString() }],
    };
    expect(parseLinkKeySet(serializeLinkKeySet(set))).toEqual(set);
    expect(parseLinkKeySet(JSON.stringify({ current: { id: 'a', key: key('a') } }))).toEqual({ current: { id: 'a', key: key('a') }, previous: [] });
  });

  it.each([
    ['not JSON', '{"current":'],
    ['no current key', '{"previous":[]}'],
    ['a short key', JSON.stringify({ current: { id: 'a', key: 'short' } })],
    ['a bad id', JSON.stringify({ current: { id: 'a b', key: key('a') } })],
    ['a retired key without retiredAt', JSON.stringify({ current: { id: 'a', key: key('a') }, previous: [{ id: 'b', key: key('b') }] })],
    ['previous not an array', JSON.stringify({ current: { id: 'a', key: key('a') }, previous: { id: 'b', key: key('b'), retiredAt: t0.toISOString() } })],
    ['a duplicate id', JSON.stringify({ current: { id: 'a', key: key('a') }, previous: [{ id: 'a', key: key('b'), retiredAt: t0.toISOString() }] })],
  ])('refuses %s, without echoing key material', (_, text) => {
    let thrown: unknown;
    try {
      parseLinkKeySet(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LinkKeySetError);
    expect((thrown as Error).message).not.toContain(key('a'));
  });
});

describe('rotation', () => {
  const initial = parseLinkKeySet(key('0'));

  it('makes the fresh key current and retires the old one with the time', () => {
    const rotated = rotateLinkKeySet(initial, { id: 'k1', key: key('1') }, at(0));
    expect(rotated).toEqual({
      current: { id: 'k1', key: key('1'), createdAt: at(0).toISOString() },
      previous: [{ id: SINGLE_KEY_ID, key: key('0'), retiredAt: at(0).toISOString() }],
    });
    expect(() => assertRotationKeepsLinks(initial, rotated, at(0))).not.toThrow();
  });

  it('keeps retired keys for the retention, then drops them', () => {
    let set = rotateLinkKeySet(initial, { id: 'k1', key: key('1') }, at(0));
    set = rotateLinkKeySet(set, { id: 'k2', key: key('2') }, at(30));
    expect(set.previous.map((k) => k.id)).toEqual(['k1', SINGLE_KEY_ID]);
    set = rotateLinkKeySet(set, { id: 'k3', key: key('3') }, at(60));
    // k0 retired 60 days ago (past the 31-day retention), k1 30 days ago.
    expect(set.previous.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(KEY_RETENTION_SECONDS).toBe(31 * 24 * 3600);
  });

  it('refuses a fresh key that is short or reuses an id', () => {
    expect(() => rotateLinkKeySet(initial, { id: 'k1', key: 'short' }, t0)).toThrow(LinkKeySetError);
    expect(() => rotateLinkKeySet(initial, { id: SINGLE_KEY_ID, key: key('1') }, t0)).toThrow(/already/);
  });

  it('tests a rotation result: a new current key, and every key a live link may use, unchanged', () => {
    const rotated = rotateLinkKeySet(initial, { id: 'k1', key: key('1') }, t0);
    expect(() => assertRotationKeepsLinks(rotated, rotated, t0)).toThrow(/still signs/);
    const dropped: LinkKeySet = { ...rotated, previous: [] };
    expect(() => assertRotationKeepsLinks(initial, dropped, t0)).toThrow(/drops or changes keys that live links use: k0/);
    const changed: LinkKeySet = { ...rotated, previous: [{ id: SINGLE_KEY_ID, key: key('x'), retiredAt: t0.toISOString() }] };
    expect(() => assertRotationKeepsLinks(initial, changed, t0)).toThrow(/k0/);
  });

  it('bounds links by the longest approval timeout a policy accepts', () => {
    expect(parsePolicy({ timeoutSeconds: MAX_LINK_LIFETIME_SECONDS }).timeoutSeconds).toBe(MAX_LINK_LIFETIME_SECONDS);
    expect(() => parsePolicy({ timeoutSeconds: MAX_LINK_LIFETIME_SECONDS + 1 })).toThrow(ValidationError);
  });

  it('never invalidates an outstanding link, however often and whenever it rotates', () => {
    const staleMs = 5 * 60_000; // how long a signer may keep using a key set it cached (adapters/signing-secret.ts)
    const near1 = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1));
    fc.assert(
      fc.property(
        // Gaps between rotations: from minutes (rotated by hand) to months, and often right around a link's lifetime.
        fc.array(
          fc.oneof(
            fc.integer({ min: 60_000, max: 90 * DAY }),
            fc.integer({ min: -staleMs, max: staleMs }).map((d) => MAX_LINK_LIFETIME_SECONDS * 1000 + d),
            fc.integer({ min: -staleMs, max: staleMs }).map((d) => KEY_RETENTION_SECONDS * 1000 + d),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        fc.nat(),
        near1,
        fc.oneof(fc.integer({ min: 60, max: MAX_LINK_LIFETIME_SECONDS }), fc.constant(MAX_LINK_LIFETIME_SECONDS)),
        near1,
        (gaps, which, signFraction, lifetimeSeconds, checkFraction) => {
          // The key set after each rotation, with the moment it came into force.
          const history: { from: number; set: LinkKeySet }[] = [{ from: t0.getTime(), set: parseLinkKeySet(key('0')) }];
          let time = t0.getTime();
          gaps.forEach((gap, i) => {
            time += gap;
            const latest = history[history.length - 1]?.set as LinkKeySet;
            history.push({ from: time, set: rotateLinkKeySet(latest, { id: `k${i + 1}`, key: `${i + 1}`.padEnd(43, 'k') }, new Date(time)) });
          });
          const setAt = (ms: number) => [...history].reverse().find((h) => h.from <= ms)?.set as LinkKeySet;
          // A signer holding key set i signs while it is in force or up to staleMs after it was replaced.
          const i = which % history.length;
          const from = history[i]?.from ?? 0;
          const until = (history[i + 1]?.from ?? from + 90 * DAY) + staleMs;
          const signedAt = Math.floor(from + signFraction * (until - from - 1));
          const expiresAt = Math.floor(signedAt / 1000) + lifetimeSeconds;
          const link = signLink({ releaseId: 'r', environment: 'prod', approver: 'a@example.com', expiresAt }, history[i]?.set as LinkKeySet);
          // Whatever key set is in force at any moment before the link expires verifies it.
          const checkedAt = Math.floor(signedAt + checkFraction * (expiresAt * 1000 - signedAt - 1));
          expect(verifyLink(link, setAt(checkedAt), new Date(checkedAt)).expiresAt).toBe(expiresAt);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
