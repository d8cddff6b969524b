import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { linkKeyId, signLink, verifyLink, verifySignature, type LinkClaim } from '../../functions/domain/approval-link';
import { InvalidLinkError, LinkExpiredError } from '../../functions/domain/errors';
import { rotateLinkKeySet, SINGLE_KEY_ID, type LinkKeySet } from '../../functions/domain/link-keys';

const secret = 'x'.repeat(40);
const claim = { releaseId: 'r1', environment: 'prod', approver: 'alice@example.com', expiresAt: 2_000_000_000 };
const before = new Date(1_999_999_000 * 1000);

const keySet = (id: string, key: string): LinkKeySet => ({ current: { id, key, createdAt: '2033-01-01T00:00:00.000Z' }, previous: [] });

/** The refusal every tampered link gets: 403 invalid-link, never a claim. */
function expectInvalid(token: string, keys: LinkKeySet | string = secret): void {
  let thrown: unknown;
  try {
    verifyLink(token, keys, before);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, token).toBeInstanceOf(InvalidLinkError);
  expect((thrown as InvalidLinkError).status).toBe(403);
}

describe('approval links', () => {
  it('round-trips a claim', () => {
    expect(verifyLink(signLink(claim, secret), secret, before)).toEqual(claim);
    const withApp = { ...claim, app: 'hello-web' };
    expect(verifyLink(signLink(withApp, secret), secret, before)).toEqual(withApp);
  });

  it('rejects a link signed with another secret or with a changed claim', () => {
    const token = signLink(claim, secret);
    expect(() => verifyLink(token, 'y'.repeat(40), before)).toThrow(InvalidLinkError);
    const forged = signLink({ ...claim, approver: 'mallory@example.com' }, 'y'.repeat(40)).split('.')[0];
    expect(() => verifyLink(`${forged}.${token.split('.')[1]}`, secret, before)).toThrow(InvalidLinkError);
    expect(() => verifyLink(`${token}x`, secret, before)).toThrow(InvalidLinkError);
    expect(() => verifyLink('garbage', secret, before)).toThrow(InvalidLinkError);
    expect(() => verifyLink(`${token}.extra`, secret, before)).toThrow(InvalidLinkError);
  });

  it('expires with the request', () => {
    expect(() => verifyLink(signLink(claim, secret), secret, new Date(2_000_000_000 * 1000))).toThrow(LinkExpiredError);
  });
});

describe('key ids', () => {
  it('names the signing key in the signed claim; a plain secret is the single key with a fixed id', () => {
    expect(linkKeyId(signLink(claim, secret))).toBe(SINGLE_KEY_ID);
    expect(linkKeyId(signLink(claim, keySet('k-a', 'a'.repeat(43))))).toBe('k-a');
    expect(linkKeyId('garbage')).toBeUndefined();
    // A plain secret and the key set of that one key are the same thing.
    const token = signLink(claim, secret);
    expect(verifySignature(token, keySet(SINGLE_KEY_ID, secret))).toEqual(claim);
  });

  it('verifies each link with the key its id names, and refuses an unknown id', () => {
    const a = keySet('k-a', 'a'.repeat(43));
    const b = keySet('k-b', 'b'.repeat(43));
    expect(verifyLink(signLink(claim, a), a, before)).toEqual(claim);
    expectInvalid(signLink(claim, a), b);
    // Same key material under another id is still another key.
    expectInvalid(signLink(claim, a), keySet('k-other', 'a'.repeat(43)));
  });

  it('refuses a key id swapped in the claim (it is signed)', () => {
    const set = rotateLinkKeySet(keySet('k-a', 'a'.repeat(43)), { id: 'k-b', key: 'b'.repeat(43) }, new Date('2033-02-01T00:00:00Z'));
    const token = signLink(claim, set);
    const [payload, mac] = token.split('.') as [string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const swapped = Buffer.from(JSON.stringify({ ...decoded, k: 'k-a' })).toString('base64url');
    expectInvalid(`${swapped}.${mac}`, set);
  });

  it('still accepts links signed before key ids existed (no kid: the single key)', () => {
    const payload = Buffer.from(JSON.stringify({ r: 'r1', e: 'prod', a: 'alice@example.com', x: 2_000_000_000 })).toString('base64url');
    const mac = createHmac('sha256', secret).update(`gatekeeper-approval-link.v1.${payload}`).digest('base64url');
    expect(verifyLink(`${payload}.${mac}`, secret, before)).toEqual(claim);
    // After the first rotation the old plain secret is the retired key k0, and such links still verify.
    const rotated = rotateLinkKeySet(keySet(SINGLE_KEY_ID, secret), { id: 'k-new', key: 'n'.repeat(43) }, new Date('2033-02-01T00:00:00Z'));
    expect(verifyLink(`${payload}.${mac}`, rotated, before)).toEqual(claim);
  });

  it('keeps an outstanding link valid across a rotation, and signs new links with the new key', () => {
    const original = keySet('k-a', 'a'.repeat(43));
    const outstanding = signLink(claim, original);
    const rotated = rotateLinkKeySet(original, { id: 'k-b', key: 'b'.repeat(43) }, new Date(1_999_000_000 * 1000));
    expect(verifyLink(outstanding, rotated, before)).toEqual(claim);
    const fresh = signLink(claim, rotated);
    expect(linkKeyId(fresh)).toBe('k-b');
    expect(verifyLink(fresh, rotated, before)).toEqual(claim);
    // The old set does not know the new key: a process that has not seen the rotation must refetch (adapters/signing-secret.ts).
    expectInvalid(fresh, original);
  });
});

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Flips the lowest bit of the last character: bits past the data that a lenient decoder ignores. */
function flipUnusedBit(part: string): string {
  const last = ALPHABET.indexOf(part.slice(-1));
  return part.slice(0, -1) + ALPHABET[last ^ 1];
}

const toStandardAlphabet = (part: string) => part.replaceAll('-', '+').replaceAll('_', '/');
const insertBang = (part: string) => `${part.slice(0, 10)}!${part.slice(10)}`;

/**
 * Claims (by release id) whose encoding suits a tampering; searched, since the encoding depends on the bytes
 * (`-`/`_` only appear in base64 of ASCII text for bytes like `~` and `?` at the right offset).
 */
function tokenWhere(test: (payload: string, mac: string) => boolean): { payload: string; mac: string } {
  for (let i = 0; i < 500; i++) {
    const [payload, mac] = signLink({ ...claim, releaseId: `r${'1'.repeat(i % 7)}-${i}${i % 2 ? '~?' : ''}` } satisfies LinkClaim, secret).split('.') as [string, string];
    if (test(payload, mac)) return { payload, mac };
  }
  throw new Error('no claim found for this tampering');
}

describe('strict link decoding (observed defect: non-canonical spellings validated)', () => {
  const sameBytes = (a: string, b: string) => Buffer.from(a, 'base64url').equals(Buffer.from(b, 'base64url'));

  describe('of the MAC', () => {
    it('refuses a changed low bit of its last character', () => {
      const { payload, mac } = tokenWhere(() => true);
      const tampered = flipUnusedBit(mac);
      expect(sameBytes(tampered, mac)).toBe(true); // what a lenient decoder would have accepted
      expectInvalid(`${payload}.${tampered}`);
    });

    it('refuses an appended =', () => {
      const { payload, mac } = tokenWhere(() => true);
      expectInvalid(`${payload}.${mac}=`);
    });

    it('refuses an inserted !', () => {
      const { payload, mac } = tokenWhere(() => true);
      expect(sameBytes(insertBang(mac), mac)).toBe(true);
      expectInvalid(`${payload}.${insertBang(mac)}`);
    });

    it('refuses the +/ alphabet', () => {
      const { payload, mac } = tokenWhere((_, m) => /[-_]/.test(m));
      expect(sameBytes(toStandardAlphabet(mac), mac)).toBe(true);
      expectInvalid(`${payload}.${toStandardAlphabet(mac)}`);
    });

    it('refuses a MAC of the wrong length', () => {
      const { payload, mac } = tokenWhere(() => true);
      expectInvalid(`${payload}.${mac.slice(0, -1)}`);
      expectInvalid(`${payload}.${mac}AA`);
    });
  });

  describe('of the claim', () => {
    it('refuses a changed low bit of its last character', () => {
      const { payload, mac } = tokenWhere((p) => p.length % 4 !== 0);
      const tampered = flipUnusedBit(payload);
      expect(sameBytes(tampered, payload)).toBe(true);
      expectInvalid(`${tampered}.${mac}`);
    });

    it('refuses an appended =', () => {
      const { payload, mac } = tokenWhere(() => true);
      expectInvalid(`${payload}=.${mac}`);
    });

    it('refuses an inserted !', () => {
      const { payload, mac } = tokenWhere(() => true);
      expectInvalid(`${insertBang(payload)}.${mac}`);
    });

    it('refuses the +/ alphabet', () => {
      const { payload, mac } = tokenWhere((p) => /[-_]/.test(p));
      expectInvalid(`${toStandardAlphabet(payload)}.${mac}`);
    });
  });

  it('still accepts every canonical link', () => {
    for (let i = 0; i < 50; i++) {
      const c = { ...claim, releaseId: `release-${i}-${'z'.repeat(i)}` };
      expect(verifyLink(signLink(c, secret), secret, before)).toEqual(c);
    }
  });
});
