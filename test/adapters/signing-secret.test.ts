import { describe, expect, it } from 'vitest';
import { cachedKeySource, signingSecretSource } from '../../functions/adapters/signing-secret';
import { SINGLE_KEY_ID, type LinkKeySet } from '../../functions/domain/link-keys';

const set = (id: string): LinkKeySet => ({ current: { id, key: id.padEnd(43, '=') }, previous: [] });

/** A fetch that returns whatever `stored` is now, counting calls; `failing` makes it throw. */
function store(initial: LinkKeySet) {
  const state = { stored: initial, failing: false, fetches: 0 };
  const fetchKeys = () => {
    state.fetches += 1;
    return state.failing ? Promise.reject(new Error('Secrets Manager unreachable')) : Promise.resolve(state.stored);
  };
  return { state, fetchKeys };
}

describe('signing keys given directly (local stack)', () => {
  it('reads LINK_SIGNING_SECRET as the single key with the fixed id', async () => {
    const source = signingSecretSource({ LINK_SIGNING_SECRET: 's'.repeat(40) }, { AWS_REGION: 'us-east-1' });
    expect(await source()).toEqual({ current: { id: SINGLE_KEY_ID, key: 's'.repeat(40) }, previous: [] });
  });
});

describe('the key cache (Secrets Manager)', () => {
  it('fetches once, shares concurrent fetches, and refreshes after the TTL', async () => {
    let now = 0;
    const { state, fetchKeys } = store(set('k1'));
    const source = cachedKeySource(fetchKeys, { ttlMs: 1000, now: () => now });
    await Promise.all([source(), source(), source()]);
    expect(state.fetches).toBe(1);
    now = 999;
    await source();
    expect(state.fetches).toBe(1);
    state.stored = set('k2');
    now = 1000;
    expect((await source()).current.id).toBe('k2');
    expect(state.fetches).toBe(2);
  });

  it('refetches at once for a link naming a key it does not know, at most once per interval', async () => {
    let now = 0;
    const { state, fetchKeys } = store(set('k1'));
    const source = cachedKeySource(fetchKeys, { ttlMs: 60_000, unknownKeyRefetchMs: 5000, now: () => now });
    await source('k1');
    state.stored = set('k2'); // rotated elsewhere
    now = 10;
    expect((await source('k2')).current.id).toBe('k2');
    expect(state.fetches).toBe(2);
    // Forged ids do not turn into one Secrets Manager call each.
    now = 20;
    await source('forged-1');
    await source('forged-2');
    expect(state.fetches).toBe(2);
    now = 5010;
    await source('forged-3');
    expect(state.fetches).toBe(3);
  });

  it('does not cache a failed first fetch, and keeps serving its keys while a refresh fails', async () => {
    let now = 0;
    const { state, fetchKeys } = store(set('k1'));
    const source = cachedKeySource(fetchKeys, { ttlMs: 1000, now: () => now });
    state.failing = true;
    await expect(source()).rejects.toThrow(/unreachable/);
    state.failing = false;
    expect((await source()).current.id).toBe('k1');
    state.failing = true;
    now = 5000;
    expect((await source()).current.id).toBe('k1');
    // An unknown key cannot be judged without the store: the caller gets the failure, not a false "invalid link".
    now = 60_000;
    await expect(source('k2')).rejects.toThrow(/unreachable/);
  });
});
