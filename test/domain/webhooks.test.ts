import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isEventPattern, nextAttemptAt, signatureHeader, subscribesTo, urlOrigin } from '../../functions/domain/webhooks';

const EVENT_AT = '2026-12-02T12:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(EVENT_AT) + seconds * 1000);

describe('webhook retries', () => {
  it('double from 30 s with equal jitter (half fixed, half random), capped at an hour', () => {
    const delay = (attempts: number, random: number) => (Date.parse(nextAttemptAt(DEFAULT_RETRY_POLICY, attempts, EVENT_AT, at(0), () => random) ?? '') - at(0).getTime()) / 1000;
    expect([1, 2, 3, 4].map((n) => delay(n, 0))).toEqual([15, 30, 60, 120]);
    expect([1, 2, 3, 4].map((n) => delay(n, 1))).toEqual([30, 60, 120, 240]);
    expect(delay(20, 0)).toBe(1800);
    expect(delay(20, 1)).toBe(3600);
  });

  it('stop 24 h after the event: no attempt is scheduled past it', () => {
    expect(nextAttemptAt(DEFAULT_RETRY_POLICY, 30, EVENT_AT, at(24 * 3600 - 3600), () => 1)).toBe(at(24 * 3600).toISOString());
    expect(nextAttemptAt(DEFAULT_RETRY_POLICY, 30, EVENT_AT, at(24 * 3600 - 3599), () => 1)).toBeUndefined();
  });
});

describe('subscriptions', () => {
  it('match listed types and <prefix>.* patterns', () => {
    expect(subscribesTo({ events: ['rollback.*'] }, 'rollback.failed')).toBe(true);
    expect(subscribesTo({ events: ['rollback.*'] }, 'release.finished')).toBe(false);
    expect(subscribesTo({ events: ['release.started'] }, 'release.started')).toBe(true);
    expect(subscribesTo({ events: ['release.started'] }, 'release.finished')).toBe(false);
  });

  it('accept only known types, and patterns that cover one', () => {
    expect(['release.started', 'break_glass.used', 'rollback.*', 'release.*'].every(isEventPattern)).toBe(true);
    expect(['release.exploded', 'nothing.*', '*', 'rollback', '', 'release.started.*'].some(isEventPattern)).toBe(false);
  });

  it('name their target by origin only (a Slack URL\'s path is its credential)', () => {
    expect(urlOrigin('https://hooks.slack.com/services/T0/B0/secret')).toBe('https://hooks.slack.com');
  });
});

describe('signatureHeader', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"> with the subscription\'s secret', () => {
    const header = signatureHeader('whsec_test', '{"id":"1"}', new Date('2026-12-02T12:00:00.999Z'));
    const t = Date.parse('2026-12-02T12:00:00Z') / 1000;
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', 'whsec_test').update(`${t}.{"id":"1"}`).digest('hex')}`);
  });
});
