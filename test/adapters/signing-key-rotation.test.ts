import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningKeyRotation, randomLinkKey } from '../../functions/adapters/signing-key-rotation';
import { signingSecretSource } from '../../functions/adapters/signing-secret';
import { linkKeyId, signLink, verifyLink } from '../../functions/domain/approval-link';
import { InvalidLinkError } from '../../functions/domain/errors';
import { parseLinkKeySet, SINGLE_KEY_ID } from '../../functions/domain/link-keys';
import { silentLogger } from '../../functions/observability/logger';
import { startSecretsManagerFake, type SecretsManagerFake } from '../support/secrets-manager-fake';

/*
 * The rotation function's four steps against a FAKE Secrets Manager: no emulator
 * of Secrets Manager exists for this project's machines (see
 * test/support/secrets-manager-fake.ts). The fake speaks the wire protocol, so
 * the real SDK client, the rotation adapter and the signing-key source run
 * exactly as in Lambda; the key-set logic itself is tested directly in
 * test/domain/link-keys.test.ts.
 */

const DAY = 24 * 3600 * 1000;
const aws = { AWS_REGION: 'us-east-1' };
const claim = (approver: string, expiresAt: number) => ({ releaseId: 'r1', app: 'hello-web', environment: 'prod', approver, expiresAt });

let fake: SecretsManagerFake;
let client: SecretsManagerClient;

beforeAll(async () => {
  fake = await startSecretsManagerFake();
  client = new SecretsManagerClient({ region: 'us-east-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } });
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});

/** A clock the test moves; the rotation and the key caches read it. */
function testClock(start = Date.parse('2030-01-01T00:00:00Z')) {
  let now = start;
  return { now: () => now, date: () => new Date(now), advance: (ms: number) => (now += ms) };
}

function setup(initial = 'plain-secret-as-cdk-generates-it-0123456789abcdef0123456789') {
  const clock = testClock();
  const arn = fake.create(`link-signing-${Math.random().toString(36).slice(2)}`, initial);
  const rotation = createSigningKeyRotation({ client, clock: clock.date, log: silentLogger });
  const source = () =>
    signingSecretSource({ LINK_SIGNING_SECRET_ARN: arn }, { ...aws, SECRETS_MANAGER_ENDPOINT: fake.endpoint }, { now: clock.now, client });
  return { clock, arn, rotation, source };
}

describe('rotating the link-signing key (fake Secrets Manager)', () => {
  it('never invalidates an outstanding link; new links use the new key id', async () => {
    const { clock, arn, rotation, source } = setup();
    const signer = source();
    const verifier = source();
    const expiresAt = Math.floor(clock.now() / 1000) + 30 * 24 * 3600; // the longest approval timeout

    // Before any rotation the secret is the plain string CDK generated: one key, the fixed id.
    const before = signLink(claim('alice@example.com', expiresAt), await signer());
    expect(linkKeyId(before)).toBe(SINGLE_KEY_ID);
    expect(verifyLink(before, await verifier(linkKeyId(before)), clock.date()).approver).toBe('alice@example.com');

    clock.advance(DAY);
    await fake.rotate(arn, rotation);
    const afterFirst = parseLinkKeySet(fake.current(arn) ?? '');
    expect(afterFirst.current.id).not.toBe(SINGLE_KEY_ID);
    expect(afterFirst.previous.map((k) => k.id)).toEqual([SINGLE_KEY_ID]);

    // The signer's cache expires (minutes); its next links name the new key.
    clock.advance(10 * 60_000);
    const after = signLink(claim('bob@example.com', expiresAt), await signer());
    expect(linkKeyId(after)).toBe(afterFirst.current.id);
    // The verifier still holds the old set; the unknown id makes it refetch, and both links verify.
    expect(verifyLink(after, await verifier(linkKeyId(after)), clock.date()).approver).toBe('bob@example.com');
    expect(verifyLink(before, await verifier(linkKeyId(before)), clock.date()).approver).toBe('alice@example.com');

    // A second rotation (by hand, a day later) still keeps both.
    clock.advance(DAY);
    await fake.rotate(arn, rotation);
    clock.advance(10 * 60_000);
    const keys = await verifier();
    expect(verifyLink(before, keys, clock.date()).approver).toBe('alice@example.com');
    expect(verifyLink(after, keys, clock.date()).approver).toBe('bob@example.com');
    expect(linkKeyId(signLink(claim('carol@example.com', expiresAt), await signer()))).toBe(parseLinkKeySet(fake.current(arn) ?? '').current.id);

    // A link naming a key nobody issued is refused as invalid.
    const forged = signLink(claim('mallory@example.com', expiresAt), { current: { id: 'k-forged', key: 'f'.repeat(43) }, previous: [] });
    expect(() => verifyLink(forged, keys, clock.date())).toThrow(InvalidLinkError);
  });

  it('drops a retired key only once every link it signed has expired', async () => {
    const { clock, arn, rotation, source } = setup();
    const expiresAt = Math.floor(clock.now() / 1000) + 30 * 24 * 3600;
    const link = signLink(claim('alice@example.com', expiresAt), await source()());
    await fake.rotate(arn, rotation);
    clock.advance(30 * DAY);
    await fake.rotate(arn, rotation);
    expect(parseLinkKeySet(fake.current(arn) ?? '').previous.map((k) => k.id)).toContain(SINGLE_KEY_ID);
    clock.advance(DAY + 60_000);
    await fake.rotate(arn, rotation);
    const keys = parseLinkKeySet(fake.current(arn) ?? '');
    expect(keys.previous.map((k) => k.id)).not.toContain(SINGLE_KEY_ID);
    expect(keys.previous).toHaveLength(2);
    expect(clock.now() / 1000).toBeGreaterThan(expiresAt); // the link had expired before its key went
    expect(() => verifyLink(link, keys, clock.date())).toThrow(InvalidLinkError);
  });

  it('repeats a step harmlessly (Secrets Manager retries them)', async () => {
    const { arn, rotation } = setup();
    const token = await fake.rotate(arn, async (event) => {
      await rotation(event);
      if (event.Step !== 'finishSecret') await rotation(event);
    });
    const current = fake.current(arn);
    expect(parseLinkKeySet(current ?? '').previous).toHaveLength(1);
    // Steps for a version that is already current change nothing.
    for (const Step of ['createSecret', 'testSecret', 'finishSecret']) await rotation({ SecretId: arn, ClientRequestToken: token, Step });
    expect(fake.current(arn)).toBe(current);
  });

  it('does not finish a rotation whose pending key set would break live links', async () => {
    const { clock, arn, rotation } = setup();
    const original = fake.current(arn);
    // A pending version written by something else, without the key that signs live links.
    const broken = JSON.stringify({ current: randomLinkKey(clock.date()), previous: [] });
    await expect(
      fake.rotate(arn, async (event) => {
        if (event.Step === 'createSecret') {
          await client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: event.ClientRequestToken, SecretString: broken, VersionStages: ['AWSPENDING'] }));
        }
        await rotation(event);
      }),
    ).rejects.toThrow(/drops or changes keys that live links use: k0/);
    expect(fake.current(arn)).toBe(original);
  });

  it('refuses events it must not act on', async () => {
    const { arn, rotation } = setup();
    await expect(rotation({ SecretId: arn, ClientRequestToken: 'any', Step: 'createSecret' })).rejects.toThrow(/rotation is not enabled/);
    await fake.rotate(arn, rotation);
    await expect(rotation({ SecretId: arn, ClientRequestToken: 'no-such-version', Step: 'createSecret' })).rejects.toThrow(/does not exist/);
    await expect(rotation({ SecretId: arn, ClientRequestToken: 'any', Step: 'dropTables' })).rejects.toThrow(/unknown rotation step/);
  });

  it('makes keys of 256 random bits under fresh ids', () => {
    const now = new Date('2030-03-01T12:00:00Z');
    const a = randomLinkKey(now);
    const b = randomLinkKey(now);
    expect(a.id).toMatch(/^k20300301-[0-9a-f]{6}$/);
    expect(Buffer.from(a.key, 'base64url')).toHaveLength(32);
    expect(a.key).not.toBe(b.key);
  });
});
