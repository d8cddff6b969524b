import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, imageFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';

// Issue 13: a burst of releases of one app meets on its audit-chain head. Contention on the head is
// the chain's business, never the caller's: every release is accepted. Timing is the bench's (npm run bench).
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
});
afterAll(() => stack?.close());

const requestedEvents = async () => {
  const admin = api(stack, stack.adminToken);
  const subjects: string[] = [];
  let cursor: string | undefined;
  do {
    const page = (await admin.call('GET', `/v1/audit?app=hello-web&limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).json as { events: Array<{ action: string; subject: string }>; cursor?: string };
    subjects.push(...page.events.filter((e) => e.action === 'release.requested').map((e) => e.subject));
    cursor = page.cursor;
  } while (cursor);
  return subjects;
};

describe('100 concurrent releases of one app', () => {
  it('are all accepted (201), each recorded once in a chain that verifies', async () => {
    const ci = api(stack);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => ci.call('POST', '/v1/releases', { app: 'hello-web', image: imageFor(`burst-${i}`) }, { 'idempotency-key': `burst-${i}` })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 100 }, () => 201));
    const ids = responses.map((r) => String(r.json.id));
    expect(new Set(ids).size).toBe(100);

    const requested = await requestedEvents();
    for (const id of ids) expect(requested.filter((subject) => subject === `release/${id}`)).toHaveLength(1);
    const verified = (await api(stack, stack.adminToken).call('GET', '/v1/audit/verify?app=hello-web')).json as { ok: boolean; events: number };
    expect(verified).toMatchObject({ ok: true });
    expect(verified.events).toBeGreaterThanOrEqual(100);
  }, 120_000);

  it('still refuses real conflicts: one idempotency key reused with different bodies at once is one 201 and 422s', async () => {
    const ci = api(stack);
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ci.call('POST', '/v1/releases', { app: 'hello-web', image: imageFor(`reused-${i}`) }, { 'idempotency-key': 'reused-key' })),
    );
    const statuses = responses.map((r) => r.status).sort();
    // A key reused for a different release is the caller's mistake (422), whichever request lost the race.
    expect(statuses).toEqual([201, ...Array.from({ length: 9 }, () => 422)]);
    // The same key and body at once, on the other hand, are one release answered to every caller.
    const same = await Promise.all(Array.from({ length: 10 }, () => ci.call('POST', '/v1/releases', { app: 'hello-web', image: imageFor('same') }, { 'idempotency-key': 'same-key' })));
    expect(same.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 201));
    expect(new Set(same.map((r) => r.json.id)).size).toBe(1);
    expect(((await api(stack, stack.adminToken).call('GET', '/v1/audit/verify?app=hello-web')).json as { ok: boolean }).ok).toBe(true);
  }, 120_000);
});
