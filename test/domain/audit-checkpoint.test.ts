import { describe, expect, it } from 'vitest';
import { checkCheckpoint, signCheckpoint } from '../../functions/domain/audit-checkpoint';
import type { LinkKeySet } from '../../functions/domain/link-keys';

const KEY = 'k'.repeat(32);
const head = { seq: 42, hash: 'a'.repeat(64) };
const at = '2026-12-02T12:00:00.000Z';

describe('audit checkpoints', () => {
  it('verify when signed with a key of the set, for the app they name', () => {
    const checkpoint = signCheckpoint(KEY, 'shop', head, at);
    expect(checkpoint).toMatchObject({ app: 'shop', seq: 42, hash: head.hash, at, keyId: 'k0' });
    expect(checkCheckpoint(KEY, 'shop', checkpoint)).toBe('valid');
    expect(checkCheckpoint(KEY, 'other', { ...checkpoint, app: 'other' })).toBe('forged');
    expect(checkCheckpoint(KEY, 'other', checkpoint)).toBe('forged');
  });

  it('are forged when any field they vouch for changed, or when signed with another key', () => {
    const checkpoint = signCheckpoint(KEY, 'shop', head, at);
    for (const change of [{ seq: 43 }, { hash: 'b'.repeat(64) }, { at: '2026-12-03T00:00:00.000Z' }, { mac: checkpoint.mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }]) {
      expect(checkCheckpoint(KEY, 'shop', { ...checkpoint, ...change })).toBe('forged');
    }
    expect(checkCheckpoint(KEY, 'shop', signCheckpoint('x'.repeat(32), 'shop', head, at))).toBe('forged');
  });

  it('still verify after a rotation, and say so when their key left the set', () => {
    const old = signCheckpoint(KEY, 'shop', head, at);
    const rotated: LinkKeySet = { current: { id: 'k1', key: 'n'.repeat(32) }, previous: [{ id: 'k0', key: KEY, retiredAt: at }] };
    expect(checkCheckpoint(rotated, 'shop', old)).toBe('valid');
    expect(signCheckpoint(rotated, 'shop', head, at).keyId).toBe('k1');
    expect(checkCheckpoint({ current: rotated.current, previous: [] }, 'shop', old)).toBe('unknown-key');
  });
});
