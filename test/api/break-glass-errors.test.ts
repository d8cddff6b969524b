import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/api/app';
import { StoreUnavailableError } from '../../functions/domain/errors';
import { buildApiDeps } from '../../functions/runtime/api';
import { imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Only a real refusal is `break-glass-refused`. When the directory cannot be
 * read (DynamoDB down), a break-glass start answers 503 like any other request:
 * the caller retries instead of being told they lack a grant they may hold.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
});
afterAll(() => stack?.close());

/**
 * The API in process with a directory whose `failAt`-th read (1-based) fails as DynamoDB does when it is down,
 * whether read alone or with the caller's token (issue 13: requireToken reads both in one round trip).
 */
function appWithFlakyDirectory(failAt: number) {
  const deps = buildApiDeps(stack.env);
  const real = { directory: deps.directory, tokens: deps.tokens };
  let reads = 0;
  const read = async <T>(next: () => Promise<T>): Promise<T> => {
    reads += 1;
    if (reads === failAt) throw new StoreUnavailableError('DynamoDB did not answer (TimeoutError); try again shortly');
    return next();
  };
  const directory: typeof real.directory = { get: () => read(() => real.directory.get()), save: (...args) => real.directory.save(...args) };
  const tokens: typeof real.tokens = Object.assign(Object.create(real.tokens) as typeof real.tokens, {
    findWithDirectory: (hash: string) => read(() => real.tokens.findWithDirectory(hash)),
  });
  return { app: createApp({ ...deps, directory, tokens }), reads: () => reads };
}

const breakGlass = (app: ReturnType<typeof createApp>) =>
  app.request('/v1/releases', {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.ciToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ app: 'hello-web', image: imageFor('glass'), breakGlass: { justification: 'the checkout is down for every customer' } }),
  });

describe('break-glass and infrastructure errors', () => {
  it('refuses a caller without the grant as break-glass-refused', async () => {
    const response = await breakGlass(appWithFlakyDirectory(Number.POSITIVE_INFINITY).app);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ type: 'https://gatekeeper.dev/problems/break-glass-refused' });
  });

  it('answers 503 dependency-unavailable whichever directory read fails, never break-glass-refused', async () => {
    const probe = appWithFlakyDirectory(Number.POSITIVE_INFINITY);
    await breakGlass(probe.app);
    const reads = probe.reads();
    expect(reads).toBeGreaterThan(0);
    for (let failAt = 1; failAt <= reads; failAt++) {
      const response = await breakGlass(appWithFlakyDirectory(failAt).app);
      expect(response.status, `directory read ${failAt} of ${reads} failed`).toBe(503);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await response.json()).toMatchObject({ type: 'https://gatekeeper.dev/problems/dependency-unavailable' });
    }
  });
});
