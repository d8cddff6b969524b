import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditAction, AuditEvent } from '../../functions/domain/audit';
import {
  canonicalize,
  chainEvents,
  EMPTY_CHAIN,
  GENESIS_HASH,
  hashEvent,
  verifyChain,
  type ChainedAuditEvent,
} from '../../functions/domain/audit-chain';
import { MalformedExportError, parseJsonLines, toCsv, toJsonLines } from '../../functions/domain/audit-export';

const APP = 'hello-web';

const event = (n: number, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id: `evt-${n}`,
  app: APP,
  actor: n % 2 ? 'ana@example.com' : 'system:state-machine',
  action: 'approval.vote',
  subject: 'release/rel-1/approval/prod',
  at: new Date(Date.UTC(2025, 0, 6, 9, n)).toISOString(),
  detail: { decision: 'approve', n },
  ...overrides,
});

/** A stored chain of `count` events, 1..count. */
const storedChain = (count: number) => chainEvents(EMPTY_CHAIN, Array.from({ length: count }, (_, i) => event(i + 1)));

const swap = <T>(items: T[], a: number, b: number): T[] => {
  const copy = [...items];
  [copy[a], copy[b]] = [copy[b] as T, copy[a] as T];
  return copy;
};

describe('canonicalize', () => {
  it('sorts keys recursively, keeps array order and writes no whitespace', () => {
    expect(canonicalize({ b: 1, a: { d: [3, 1, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1,{"y":null,"z":true}]},"b":1}');
  });

  it('does not depend on the order keys were inserted in', () => {
    expect(canonicalize({ actor: 'a', app: 'b', detail: { y: 1, x: 2 } })).toBe(canonicalize({ detail: { x: 2, y: 1 }, app: 'b', actor: 'a' }));
  });

  it('drops undefined properties, so an absent and an undefined detail hash alike', () => {
    expect(canonicalize({ a: 1, detail: undefined })).toBe('{"a":1}');
  });

  it('writes numbers as JSON numbers and strings with JSON escapes', () => {
    expect(canonicalize([0, -0, 1.5, 1e21, 1e-7, 2 ** 53])).toBe('[0,0,1.5,1e+21,1e-7,9007199254740992]');
    expect(canonicalize({ s: 'line\n"quoted" chloé \u0001 \ud800' })).toBe('{"s":"line\\n\\"quoted\\" chloé \\u0001 \\ud800"}');
  });

  it('refuses values with no faithful JSON form instead of coercing them', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const [value, message] of [
      [{ n: Number.NaN }, /\$\.n: NaN is not a finite number/],
      [{ n: Number.POSITIVE_INFINITY }, /not a finite number/],
      [{ f: () => 1 }, /\$\.f: a function/],
      [{ s: Symbol('s') }, /a symbol/],
      [{ b: 10n }, /a bigint/],
      [{ when: new Date(0) }, /\$\.when: a Date is not plain JSON/],
      [{ m: new Map() }, /a Map is not plain JSON/],
      [{ list: [1, undefined] }, /\$\.list\[1\]: undefined/],
      // eslint-disable-next-line no-sparse-arrays -- the hole is what is tested
      [[1, , 3], /\$\[1\]: undefined/],
      [cycle, /circular/],
      [{ [Symbol('k')]: 1 }, /symbol keys/],
      [undefined, /^\$: undefined cannot be serialized/],
    ] as const) {
      expect(() => canonicalize(value), String(message)).toThrow(message);
    }
  });

  it('accepts objects without a prototype, as parsers may build them', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 2, a: 1 });
    expect(canonicalize(bare)).toBe('{"a":1,"b":2}');
  });

  it('(property) is stable across a JSON round trip and key reordering', () => {
    const reverseKeys = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reverseKeys);
      if (value === null || typeof value !== 'object') return value;
      const entries = Object.entries(value).reverse();
      const out: Record<string, unknown> = {};
      for (const [key, member] of entries) Object.defineProperty(out, key, { value: reverseKeys(member), enumerable: true, writable: true, configurable: true });
      return out;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalize(value);
        expect(canonicalize(JSON.parse(canonical))).toBe(canonical);
        expect(canonicalize(reverseKeys(value))).toBe(canonical);
      }),
    );
  });
});

describe('hashEvent', () => {
  it('is SHA-256 over the domain prefix and the canonical event without its hash', () => {
    const [first] = storedChain(1).events as [ChainedAuditEvent];
    const { hash, ...content } = first;
    const expected = createHash('sha256').update(`gatekeeper-audit-v1\n${canonicalize(content)}`).digest('hex');
    expect(hashEvent(content)).toBe(expected);
    expect(hashEvent(first)).toBe(hash);
    expect(hash).toBe(expected);
  });

  it('covers every field, including ones the AuditEvent type does not name', () => {
    const [first] = storedChain(1).events as [ChainedAuditEvent];
    expect(hashEvent({ ...first, approvedBy: 'mallory@example.com' } as ChainedAuditEvent)).not.toBe(first.hash);
  });
});

describe('chainEvents', () => {
  it('starts a chain at seq 1 from the genesis hash and links each event to the one before', () => {
    const { events, head } = storedChain(3);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]?.prevHash).toBe(GENESIS_HASH);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(events[1]?.prevHash).toBe(events[0]?.hash);
    expect(events[2]?.prevHash).toBe(events[1]?.hash);
    expect(head).toEqual({ seq: 3, hash: events[2]?.hash });
    for (const e of events) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(events[0]).toMatchObject(event(1));
  });

  it('continues from a head exactly as if the events had been chained in one batch', () => {
    const all = Array.from({ length: 5 }, (_, i) => event(i + 1));
    const first = chainEvents(EMPTY_CHAIN, all.slice(0, 2));
    const rest = chainEvents(first.head, all.slice(2));
    expect(rest.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(rest.events[0]?.prevHash).toBe(first.head.hash);
    expect([...first.events, ...rest.events]).toEqual(chainEvents(EMPTY_CHAIN, all).events);
  });

  it('returns the head unchanged when there is nothing to append', () => {
    const head = storedChain(2).head;
    expect(chainEvents(head, [])).toEqual({ events: [], head });
  });

  it('does not modify the events it is given', () => {
    const input = [event(1)];
    chainEvents(EMPTY_CHAIN, input);
    expect(input).toEqual([event(1)]);
  });

  it('refuses a malformed head and events of two apps in one chain', () => {
    expect(() => chainEvents({ seq: -1, hash: GENESIS_HASH }, [event(1)])).toThrow(/invalid chain head/);
    expect(() => chainEvents({ seq: 1, hash: 'abc' }, [event(1)])).toThrow(/invalid chain head/);
    expect(() => chainEvents(EMPTY_CHAIN, [event(1), event(2, { app: 'other' })])).toThrow(/several apps \(hello-web, other\)/);
  });

  it('refuses a detail that could not be read back as written', () => {
    expect(() => chainEvents(EMPTY_CHAIN, [event(1, { detail: { at: new Date() } })])).toThrow(/detail\.at: a Date/);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', () => {
    const { events, head } = storedChain(8);
    expect(verifyChain(events)).toEqual({ ok: true, events: 8, head });
    expect(verifyChain(events, { expectedHead: head })).toEqual({ ok: true, events: 8, head });
  });

  it('accepts an empty chain', () => {
    expect(verifyChain([])).toEqual({ ok: true, events: 0, head: EMPTY_CHAIN });
    expect(verifyChain([], { expectedHead: EMPTY_CHAIN }).ok).toBe(true);
  });

  it("reports a changed field as 'changed' at that event", () => {
    const { events } = storedChain(8);
    const tampered = events.map((e) => (e.seq === 5 ? { ...e, actor: 'mallory@example.com' } : e));
    expect(verifyChain(tampered).firstBreak).toEqual({
      kind: 'changed',
      seq: 5,
      detail: 'event 5 was changed after it was written: its content no longer matches its hash',
    });
  });

  it("reports a changed detail and a removed detail as 'changed'", () => {
    const { events } = storedChain(8);
    const edited = events.map((e) => (e.seq === 3 ? { ...e, detail: { decision: 'reject', n: 3 } } : e));
    const stripped = events.map((e) => (e.seq === 4 ? { ...e, detail: undefined } : e));
    expect(verifyChain(edited).firstBreak).toMatchObject({ kind: 'changed', seq: 3 });
    expect(verifyChain(stripped).firstBreak).toMatchObject({ kind: 'changed', seq: 4 });
  });

  it("reports a changed event whose hash was recomputed as 'broken-link' at the next event", () => {
    const { events } = storedChain(8);
    const tampered = events.map((e) => {
      if (e.seq !== 5) return e;
      const { hash: _old, ...forged } = { ...e, actor: 'mallory@example.com' };
      return { ...forged, hash: hashEvent(forged) };
    });
    expect(verifyChain(tampered).firstBreak).toEqual({ kind: 'broken-link', seq: 6, detail: expect.stringMatching(/^event 6 does not follow from event 5: its prevHash/) });
  });

  it("reports a deleted event as 'missing' at its seq", () => {
    const { events } = storedChain(8);
    const result = verifyChain(events.filter((e) => e.seq !== 5));
    expect(result.firstBreak).toEqual({ kind: 'missing', seq: 5, detail: 'event 5 is missing: the log jumps from event 4 to event 6' });
    expect(verifyChain(events.filter((e) => e.seq !== 5 && e.seq !== 6)).firstBreak?.detail).toBe('events 5–6 are missing: the log jumps from event 4 to event 7');
  });

  it("reports a chain that does not start at 1 as 'missing' at 1", () => {
    const { events } = storedChain(4);
    expect(verifyChain(events.slice(2)).firstBreak).toEqual({ kind: 'missing', seq: 1, detail: 'events 1–2 are missing: the log starts at event 3, not 1' });
  });

  it("reports two swapped adjacent events as 'reordered' at the lower seq, wherever they are", () => {
    const { events } = storedChain(8);
    expect(verifyChain(swap(events, 4, 5)).firstBreak).toEqual({ kind: 'reordered', seq: 5, detail: 'event 5 is out of order: event 6 comes before it' });
    expect(verifyChain(swap(events, 0, 1)).firstBreak).toMatchObject({ kind: 'reordered', seq: 1 });
    expect(verifyChain(swap(events, 6, 7)).firstBreak).toMatchObject({ kind: 'reordered', seq: 7 });
  });

  it("reports a duplicated seq as 'reordered' at that seq", () => {
    const { events } = storedChain(6);
    const copied = [...events.slice(0, 4), events[3] as ChainedAuditEvent, ...events.slice(4)];
    expect(verifyChain(copied).firstBreak).toEqual({ kind: 'reordered', seq: 4, detail: 'event 4 appears more than once: it appears again after event 4' });
    // Two different events claiming one place, as a store without the conditional write could produce.
    const rival = chainEvents(storedChain(3).head, [event(99)]).events[0] as ChainedAuditEvent;
    expect(verifyChain([...events.slice(0, 4), rival, ...events.slice(4)]).firstBreak).toMatchObject({ kind: 'reordered', seq: 4 });
  });

  it('detects a truncated tail only when given the expected head', () => {
    const { events, head } = storedChain(8);
    const truncated = events.slice(0, 6);
    expect(verifyChain(truncated).ok).toBe(true);
    expect(verifyChain(truncated, { expectedHead: head }).firstBreak).toEqual({
      kind: 'missing',
      seq: 8,
      detail: 'events 7–8 are missing: the log ends at event 6 but its head is event 8, so it was truncated',
    });
    expect(verifyChain([], { expectedHead: head }).firstBreak).toMatchObject({ kind: 'missing', seq: 8 });
  });

  it("reports a last event that differs from the expected head as 'changed'", () => {
    const { events, head } = storedChain(4);
    const otherHead = { seq: 4, hash: 'f'.repeat(64) };
    expect(verifyChain(events, { expectedHead: otherHead }).firstBreak).toMatchObject({ kind: 'changed', seq: 4, detail: expect.stringContaining('does not match the expected head') });
    // A forged last event with its hash recomputed passes the chain but not the head.
    const { hash: _old, ...forged } = { ...(events[3] as ChainedAuditEvent), actor: 'mallory@example.com' };
    const reforged = [...events.slice(0, 3), { ...forged, hash: hashEvent(forged) }];
    expect(verifyChain(reforged).ok).toBe(true);
    expect(verifyChain(reforged, { expectedHead: head }).firstBreak).toMatchObject({ kind: 'changed', seq: 4 });
  });

  it("reports events beyond the expected head as 'changed' at the first of them", () => {
    const { events } = storedChain(6);
    const earlier = { seq: 4, hash: events[3]?.hash ?? '' };
    expect(verifyChain(events, { expectedHead: earlier }).firstBreak).toEqual({
      kind: 'changed',
      seq: 5,
      detail: 'event 5 comes after the expected head (event 4): the log has events the head does not account for',
    });
    expect(verifyChain(events, { expectedHead: { seq: 4, hash: 'e'.repeat(64) } }).firstBreak).toMatchObject({ kind: 'changed', seq: 4 });
  });

  it('verifies a page that continues from a known head', () => {
    const { events, head } = storedChain(8);
    const before = { seq: 4, hash: events[3]?.hash ?? '' };
    const page = events.slice(4);
    expect(verifyChain(page, { startAfter: before, expectedHead: head })).toEqual({ ok: true, events: 4, head });
    // Without its starting point the page looks like a chain with its start cut off.
    expect(verifyChain(page).firstBreak).toMatchObject({ kind: 'missing', seq: 1 });
    expect(verifyChain(page, { startAfter: { seq: 4, hash: 'a'.repeat(64) } }).firstBreak).toMatchObject({ kind: 'broken-link', seq: 5 });
    expect(verifyChain(events.slice(5), { startAfter: before }).firstBreak).toEqual({
      kind: 'missing',
      seq: 5,
      detail: 'event 5 is missing: the log should continue from event 4 but starts at event 6',
    });
    expect(verifyChain(events.slice(2), { startAfter: before }).firstBreak).toMatchObject({ kind: 'reordered', seq: 3, detail: expect.stringContaining('continues from event 4') });
  });

  it('does not let a first event claim a link other than the genesis', () => {
    const { events } = storedChain(3);
    const { hash: _old, ...forged } = { ...(events[0] as ChainedAuditEvent), prevHash: 'a'.repeat(64) };
    const result = verifyChain([{ ...forged, hash: hashEvent(forged) }, ...events.slice(1)]);
    expect(result.firstBreak).toMatchObject({ kind: 'broken-link', seq: 1, detail: expect.stringContaining('is not the genesis hash') });
  });

  it("reports content that cannot be serialized as 'changed' rather than throwing", () => {
    const { events } = storedChain(2);
    const corrupt = events.map((e) => (e.seq === 2 ? { ...e, detail: { n: Number.NaN } } : e));
    expect(verifyChain(corrupt).firstBreak).toMatchObject({ kind: 'changed', seq: 2 });
  });
});

describe('verifyChain (properties)', () => {
  const ACTIONS: AuditAction[] = ['release.requested', 'deployment.started', 'approval.vote', 'approval.decided', 'policy.changed'];
  const eventArb = fc
    .record(
      {
        id: fc.uuid(),
        actor: fc.string(),
        action: fc.constantFrom(...ACTIONS),
        subject: fc.string(),
        at: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
        detail: fc.dictionary(fc.string(), fc.jsonValue()),
      },
      { requiredKeys: ['id', 'actor', 'action', 'subject', 'at'] },
    )
    .map((fields): AuditEvent => ({ app: APP, ...fields }));
  const eventsArb = fc.array(eventArb, { minLength: 1, maxLength: 12 });

  const FIELDS = ['id', 'app', 'actor', 'action', 'subject', 'at', 'detail', 'prevHash', 'hash'] as const;
  const flipHex = (hash: string) => (hash.startsWith('0') ? '1' : '0') + hash.slice(1);
  const mutate = (target: ChainedAuditEvent, field: (typeof FIELDS)[number]): ChainedAuditEvent => {
    switch (field) {
      case 'detail':
        // Wrapping always changes the canonical form, whatever the original detail was.
        return { ...target, detail: target.detail === undefined ? { mutated: true } : { wrapped: target.detail } };
      case 'prevHash':
      case 'hash':
        return { ...target, [field]: flipHex(target[field]) };
      default:
        return { ...target, [field]: `${target[field]}x` };
    }
  };

  it('every chain built by chainEvents verifies, alone and as pages', () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(), (events, cut) => {
        const { events: chained, head } = chainEvents(EMPTY_CHAIN, events);
        expect(verifyChain(chained, { expectedHead: head })).toEqual({ ok: true, events: events.length, head });
        const at = cut % (chained.length + 1);
        const startAfter = at === 0 ? EMPTY_CHAIN : { seq: at, hash: chained[at - 1]?.hash ?? '' };
        expect(verifyChain(chained.slice(at), { startAfter, expectedHead: head }).ok).toBe(true);
      }),
    );
  });

  it('any change to one field of one event is detected at exactly that seq', () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(), fc.constantFrom(...FIELDS), (events, pick, field) => {
        const { events: chained, head } = chainEvents(EMPTY_CHAIN, events);
        const index = pick % chained.length;
        const tampered = chained.map((e, i) => (i === index ? mutate(e, field) : e));
        const expectedKind = field === 'prevHash' ? 'broken-link' : 'changed';
        expect(verifyChain(tampered).firstBreak).toMatchObject({ kind: expectedKind, seq: index + 1 });
        expect(verifyChain(tampered, { expectedHead: head }).firstBreak).toMatchObject({ kind: expectedKind, seq: index + 1 });
      }),
    );
  });

  it('a changed event with its hash recomputed is caught at the next event, or at the head', () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(), fc.constantFrom('id', 'actor', 'subject', 'at', 'detail'), (events, pick, field) => {
        const { events: chained, head } = chainEvents(EMPTY_CHAIN, events);
        const index = pick % chained.length;
        const { hash: _old, ...forged } = mutate(chained[index] as ChainedAuditEvent, field as (typeof FIELDS)[number]);
        const tampered = chained.map((e, i) => (i === index ? { ...forged, hash: hashEvent(forged) } : e));
        const last = index === chained.length - 1;
        expect(verifyChain(tampered, { expectedHead: head }).firstBreak).toMatchObject(last ? { kind: 'changed', seq: index + 1 } : { kind: 'broken-link', seq: index + 2 });
      }),
    );
  });

  it('a changed seq never passes, and is reported no later than the event it was taken from', () => {
    fc.assert(
      fc.property(eventsArb, fc.nat(), fc.integer({ min: -2, max: 20 }), (events, pick, newSeq) => {
        const { events: chained, head } = chainEvents(EMPTY_CHAIN, events);
        const index = pick % chained.length;
        fc.pre(newSeq !== index + 1);
        const tampered = chained.map((e, i) => (i === index ? { ...e, seq: newSeq } : e));
        const result = verifyChain(tampered, { expectedHead: head });
        expect(result.ok).toBe(false);
        expect(result.firstBreak?.seq).toBeLessThanOrEqual(index + 1);
      }),
    );
  });
});

describe('export formats', () => {
  const exportedAt = '2025-01-06T11:00:00.000Z';

  it('writes JSON Lines that read back to the same events and head', () => {
    const { events, head } = storedChain(3);
    const text = toJsonLines(APP, events, head, exportedAt);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3] ?? '')).toEqual({ type: 'head', app: APP, seq: 3, hash: head.hash, exportedAt });
    expect(lines[0]).toMatch(/^\{"seq":1,"at":/);
    expect(parseJsonLines(text)).toEqual({ events, head: { app: APP, ...head } });
  });

  it('writes an empty chain as just its head line', () => {
    expect(parseJsonLines(toJsonLines(APP, [], EMPTY_CHAIN, exportedAt))).toEqual({ events: [], head: { app: APP, ...EMPTY_CHAIN } });
  });

  it('reads CRLF line ends, a byte order mark and blank lines', () => {
    const { events, head } = storedChain(2);
    const text = `\uFEFF${toJsonLines(APP, events, head, exportedAt).replaceAll('\n', '\r\n')}\r\n\r\n`;
    expect(parseJsonLines(text).events).toEqual(events);
  });

  it('names the line of malformed input', () => {
    const { events, head } = storedChain(2);
    const [first, second, headLine] = toJsonLines(APP, events, head, exportedAt).trimEnd().split('\n') as [string, string, string];
    const attempt = (text: string) => () => parseJsonLines(text);
    expect(attempt(`${first}\n${second.slice(0, 40)}\n${headLine}`)).toThrow(/^line 2: not valid JSON/);
    expect(attempt(`${first}\n[1,2]`)).toThrow('line 2: expected a JSON object');
    expect(attempt(`${first}\n${headLine}\n${second}`)).toThrow('line 3: content after the head line; the head must be the last line');
    expect(attempt(`${first}\n\n${JSON.stringify({ ...JSON.parse(second), seq: '2' })}`)).toThrow('line 3: not an audit event: seq must be an integer ≥ 1');
    expect(attempt(`${first}\n${JSON.stringify({ ...JSON.parse(second), hash: undefined })}`)).toThrow('line 2: not an audit event: hash must be a string');
    expect(attempt(`${first}\n{"type":"head","app":"x","seq":-1,"hash":"h"}`)).toThrow(/^line 2: the head line has no valid seq/);
    const error = (() => {
      try {
        parseJsonLines('{');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(MalformedExportError);
    expect(error).toMatchObject({ line: 1 });
  });

  it('reads an export without a head line, leaving the head undefined', () => {
    const { events, head } = storedChain(2);
    const withoutHead = toJsonLines(APP, events, head, exportedAt).trimEnd().split('\n').slice(0, 2).join('\n');
    expect(parseJsonLines(withoutHead)).toEqual({ events });
  });

  it('writes CSV with RFC 4180 quoting, canonical detail and a final head row', () => {
    const { events, head } = chainEvents(EMPTY_CHAIN, [
      event(1, { detail: undefined }),
      event(2, { actor: 'Doe, "JD"', detail: { z: 'a,b', a: 'line\nbreak' } }),
    ]);
    const [e1, e2] = events as [ChainedAuditEvent, ChainedAuditEvent];
    expect(toCsv(events, head)).toBe(
      [
        'seq,at,app,actor,action,subject,detail,prevHash,hash',
        `1,${e1.at},hello-web,ana@example.com,approval.vote,release/rel-1/approval/prod,,${GENESIS_HASH},${e1.hash}`,
        `2,${e2.at},hello-web,"Doe, ""JD""",approval.vote,release/rel-1/approval/prod,"{""a"":""line\\nbreak"",""z"":""a,b""}",${e1.hash},${e2.hash}`,
        `# head,2,${head.hash}`,
        '',
      ].join('\r\n'),
    );
  });
});

describe('golden export (test/fixtures/audit/hello-web.jsonl)', () => {
  // Stored hashes depend on this exact format: if this test fails, the serialization changed and every existing chain would read as tampered.
  const text = readFileSync(new URL('../fixtures/audit/hello-web.jsonl', import.meta.url), 'utf8');

  it('still verifies, with the head it was written with', () => {
    const { events, head } = parseJsonLines(text);
    expect(head).toEqual({ app: APP, seq: 8, hash: 'ed49ffa2b0be95d96d1866d4362e7c8a9cce6d5c2c2756a7948c247e6510bbf6' });
    expect(verifyChain(events, { expectedHead: head })).toMatchObject({ ok: true, events: 8 });
  });

  it('hashes the first event exactly as the documented format says, independently of canonicalize', () => {
    const canonical =
      '{"action":"app.registered","actor":"system:catalog","app":"hello-web","at":"2025-01-06T09:00:00.000Z","id":"evt-1",' +
      `"prevHash":"${GENESIS_HASH}","seq":1,"subject":"app/hello-web"}`;
    const expected = createHash('sha256').update(`gatekeeper-audit-v1\n${canonical}`).digest('hex');
    expect(expected).toBe('7bedd69f9e6c5777dc5a8183a1c265279885c9f71d8cb95370255cb7411dc785');
    expect(parseJsonLines(text).events[0]?.hash).toBe(expected);
  });
});
