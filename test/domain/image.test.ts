import { describe, expect, it } from 'vitest';
import { ImageNotPinnedError } from '../../functions/domain/errors';
import { parsePinnedImage } from '../../functions/domain/image';
import { executionName } from '../../functions/domain/release';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('parsePinnedImage', () => {
  it('accepts digest references with registry, port, path and an optional tag', () => {
    for (const ref of [`nginx@${digest}`, `registry.example.com:5000/team/app@${digest}`, `ghcr.io/org/app:1.2.3@${digest}`]) {
      expect(parsePinnedImage(ref).digest).toBe(digest);
    }
    expect(parsePinnedImage(`nginx@${digest}`).shortDigest).toBe('abababababab');
  });

  it('refuses tags and malformed digests with a reason', () => {
    expect(() => parsePinnedImage('nginx:latest')).toThrow(/tag .* can be moved/);
    expect(() => parsePinnedImage('nginx@sha256:abc')).toThrow(ImageNotPinnedError);
    expect(() => parsePinnedImage(`nginx@${digest.toUpperCase()}`)).toThrow(ImageNotPinnedError);
  });
});

describe('executionName', () => {
  it('reads as app, environment, short digest and UTC time within Step Functions limits', () => {
    const name = executionName('hello-web', 'prod-eu', parsePinnedImage(`nginx@${digest}`), new Date('2026-11-25T08:15:30.123Z'), '1a2b3c4d-5e6f');
    expect(name).toBe('hello-web-prod-eu-abababababab-20261125T081530Z-1a2b3c4d');
    const long = executionName('a'.repeat(90), 'e'.repeat(63), parsePinnedImage(`nginx@${digest}`), new Date(), '1a2b3c4d-5e6f');
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(long).toContain('-eeee');
  });
});
