import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors';
import { activeFreeze, parseFreezePolicy, type FreezePolicy, type FreezeWindow } from '../../functions/domain/freeze';

const policy = (...windows: FreezeWindow[]): FreezePolicy => parseFreezePolicy({ windows });
const endsAt = (p: FreezePolicy, at: string) => activeFreeze(p, new Date(at))?.endsAt.toISOString();
/** The instant a freeze starts, asserted as: not in force a second before, in force at it. */
const startsAt = (p: FreezePolicy, at: string) => {
  expect(activeFreeze(p, new Date(Date.parse(at) - 1000))).toBeUndefined();
  expect(activeFreeze(p, new Date(at))).toBeDefined();
};

describe('weekly windows', () => {
  // Friday 18:00 to Monday 06:00 Berlin time, as three windows that meet.
  const weekend = policy(
    { kind: 'weekly', timeZone: 'Europe/Berlin', days: ['fri'], start: '18:00', end: '00:00', reason: 'weekend' },
    { kind: 'weekly', timeZone: 'Europe/Berlin', days: ['sat', 'sun'], start: '00:00', end: '00:00' },
    { kind: 'weekly', timeZone: 'Europe/Berlin', days: ['mon'], start: '00:00', end: '06:00' },
  );

  it('freezes Friday 18:00 to Monday 06:00 in Europe/Berlin (summer time, UTC+2)', () => {
    startsAt(weekend, '2026-06-12T16:00:00Z');
    expect(endsAt(weekend, '2026-06-12T16:00:00Z')).toBe('2026-06-15T04:00:00.000Z');
    expect(activeFreeze(weekend, new Date('2026-06-12T17:00:00Z'))?.window.reason).toBe('weekend');
    expect(endsAt(weekend, '2026-06-14T10:00:00Z')).toBe('2026-06-15T04:00:00.000Z');
    expect(endsAt(weekend, '2026-06-15T03:59:59Z')).toBe('2026-06-15T04:00:00.000Z');
    expect(endsAt(weekend, '2026-06-15T04:00:00Z')).toBeUndefined();
    expect(endsAt(weekend, '2026-06-17T12:00:00Z')).toBeUndefined();
  });

  it('follows the zone into winter time (UTC+1)', () => {
    startsAt(weekend, '2026-01-16T17:00:00Z');
    expect(endsAt(weekend, '2026-01-17T12:00:00Z')).toBe('2026-01-19T05:00:00.000Z');
  });

  it('runs an overnight window (22:00–06:00) into the next day', () => {
    const nights = policy({ kind: 'weekly', timeZone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '22:00', end: '06:00' });
    startsAt(nights, '2026-06-09T22:00:00Z'); // Tuesday night
    expect(endsAt(nights, '2026-06-09T23:00:00Z')).toBe('2026-06-10T06:00:00.000Z');
    expect(endsAt(nights, '2026-06-10T03:00:00Z')).toBe('2026-06-10T06:00:00.000Z');
    expect(endsAt(nights, '2026-06-13T05:00:00Z')).toBe('2026-06-13T06:00:00.000Z'); // Saturday morning, from Friday night
    expect(endsAt(nights, '2026-06-08T03:00:00Z')).toBeUndefined(); // Monday morning: Sunday night is free
    expect(endsAt(nights, '2026-06-10T12:00:00Z')).toBeUndefined();
  });

  it('does not join overnight windows that leave a gap', () => {
    const evenings = policy({ kind: 'weekly', timeZone: 'Europe/Berlin', days: ['fri', 'sat', 'sun'], start: '18:00', end: '06:00' });
    expect(endsAt(evenings, '2026-06-12T20:00:00Z')).toBe('2026-06-13T04:00:00.000Z');
    expect(endsAt(evenings, '2026-06-13T10:00:00Z')).toBeUndefined();
  });

  it('treats end = start as a whole day', () => {
    const friday = policy({ kind: 'weekly', timeZone: 'UTC', days: ['fri'], start: '09:00', end: '09:00' });
    expect(endsAt(friday, '2026-06-12T09:00:00Z')).toBe('2026-06-13T09:00:00.000Z');
    expect(endsAt(friday, '2026-06-13T08:59:59Z')).toBe('2026-06-13T09:00:00.000Z');
  });
});

describe('daylight-saving transitions', () => {
  it('starts a window at a time that does not exist (Berlin 2026-03-29 02:30) when the clocks jump', () => {
    // 02:00 CET becomes 03:00 CEST at 01:00 UTC; 02:30 never happens.
    const p = policy({ kind: 'weekly', timeZone: 'Europe/Berlin', days: ['sun'], start: '02:30', end: '04:00' });
    startsAt(p, '2026-03-29T01:00:00Z');
    expect(endsAt(p, '2026-03-29T01:00:00Z')).toBe('2026-03-29T02:00:00.000Z'); // 04:00 CEST
    // A week earlier, 02:30 CET is an ordinary 01:30 UTC.
    startsAt(p, '2026-03-22T01:30:00Z');
    expect(endsAt(p, '2026-03-22T01:30:00Z')).toBe('2026-03-22T03:00:00.000Z');
  });

  it('ends a range at a time that does not exist when the clocks jump', () => {
    const p = policy({ kind: 'range', timeZone: 'Europe/Berlin', from: '2026-03-28T20:00', to: '2026-03-29T02:30' });
    startsAt(p, '2026-03-28T19:00:00Z');
    expect(endsAt(p, '2026-03-29T00:59:59Z')).toBe('2026-03-29T01:00:00.000Z');
  });

  it('uses the earlier of a time that happens twice (New York 2026-11-01 01:30)', () => {
    // 02:00 EDT becomes 01:00 EST at 06:00 UTC; 01:30 is 05:30 UTC (EDT) and 06:30 UTC (EST).
    const p = policy({ kind: 'weekly', timeZone: 'America/New_York', days: ['sun'], start: '01:30', end: '03:00' });
    startsAt(p, '2026-11-01T05:30:00Z');
    expect(endsAt(p, '2026-11-01T06:45:00Z')).toBe('2026-11-01T08:00:00.000Z'); // 03:00 EST
    expect(endsAt(p, '2026-11-01T08:00:00Z')).toBeUndefined();
  });

  it('ends at the first occurrence of a repeated time, so the repeated hour is free', () => {
    const p = policy({ kind: 'range', timeZone: 'America/New_York', from: '2026-10-31T22:00', to: '2026-11-01T01:30' });
    startsAt(p, '2026-11-01T02:00:00Z');
    expect(endsAt(p, '2026-11-01T05:29:00Z')).toBe('2026-11-01T05:30:00.000Z');
    expect(endsAt(p, '2026-11-01T06:15:00Z')).toBeUndefined(); // 01:15 EST, the second time round
  });
});

describe('range windows and merging', () => {
  const holidays = policy(
    { kind: 'range', timeZone: 'Europe/Berlin', from: '2026-12-20T00:00', to: '2026-12-28T00:00', reason: 'holidays' },
    { kind: 'range', timeZone: 'America/New_York', from: '2026-12-27T12:00', to: '2027-01-04T09:00', reason: 'year end' },
  );

  it('is in force from `from` up to, not including, `to`, in its zone', () => {
    startsAt(holidays, '2026-12-19T23:00:00Z');
    expect(activeFreeze(holidays, new Date('2026-12-21T00:00:00Z'))?.window.reason).toBe('holidays');
    expect(endsAt(holidays, '2027-01-04T13:59:59Z')).toBe('2027-01-04T14:00:00.000Z');
    expect(endsAt(holidays, '2027-01-04T14:00:00Z')).toBeUndefined();
  });

  it('ends overlapping windows at the end of the merged freeze', () => {
    // The first ends 2026-12-27T23:00Z; the second (17:00Z on the 27th to 14:00Z on 4 January) continues it.
    expect(endsAt(holidays, '2026-12-21T00:00:00Z')).toBe('2027-01-04T14:00:00.000Z');
  });

  it('merges windows that only touch, across kinds', () => {
    const p = policy(
      { kind: 'range', timeZone: 'UTC', from: '2026-06-01T00:00', to: '2026-06-05T18:00' },
      { kind: 'weekly', timeZone: 'UTC', days: ['fri'], start: '18:00', end: '23:00' },
    );
    expect(endsAt(p, '2026-06-03T00:00:00Z')).toBe('2026-06-05T23:00:00.000Z');
  });

  it('cuts a freeze that never ends at a bounded horizon', () => {
    const always = policy({ kind: 'weekly', timeZone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '00:00' });
    const ends = activeFreeze(always, new Date('2026-06-01T12:00:00Z'))?.endsAt;
    expect(ends?.getTime()).toBeGreaterThan(Date.parse('2026-07-01T00:00:00Z'));
    expect(activeFreeze(always, ends ?? new Date())).toBeDefined();
  });

  it('is never frozen without windows', () => {
    expect(activeFreeze(parseFreezePolicy({}), new Date('2026-06-01T12:00:00Z'))).toBeUndefined();
  });
});

describe('parseFreezePolicy', () => {
  const weekly = { kind: 'weekly', timeZone: 'Europe/Berlin', days: ['fri'], start: '18:00', end: '06:00' };
  const range = { kind: 'range', timeZone: 'Europe/Berlin', from: '2026-12-24T00:00', to: '2026-12-27T00:00' };

  it('defaults to no windows and waiting', () => {
    expect(parseFreezePolicy({})).toEqual({ windows: [], onFreeze: 'wait' });
    expect(parseFreezePolicy({ windows: [weekly, { ...range, reason: 'xmas' }], onFreeze: 'fail' })).toEqual({ windows: [weekly, { ...range, reason: 'xmas' }], onFreeze: 'fail' });
  });

  it.each([
    ['an unknown zone', { ...weekly, timeZone: 'Mars/Olympus' }, /windows\[0\]\.timeZone: "Mars\/Olympus" is not a known IANA time zone/],
    ['a missing zone', { ...weekly, timeZone: undefined }, /windows\[0\]\.timeZone must be an IANA time zone name/],
    ['hour 24', { ...weekly, start: '24:00' }, /windows\[0\]\.start must be a 24-hour time "HH:MM" from 00:00 to 23:59, got "24:00"/],
    ['a one-digit hour', { ...weekly, end: '6:00' }, /windows\[0\]\.end must be a 24-hour time/],
    ['minute 60', { ...weekly, end: '06:60' }, /windows\[0\]\.end must be a 24-hour time/],
    ['no days', { ...weekly, days: [] }, /windows\[0\]\.days must list at least one of/],
    ['a misspelt day', { ...weekly, days: ['friday'] }, /"friday" is not a weekday/],
    ['a repeated day', { ...weekly, days: ['fri', 'fri'] }, /lists "fri" twice/],
    ['an unknown kind', { ...weekly, kind: 'daily' }, /windows\[0\]\.kind must be "weekly" or "range", got "daily"/],
    ['a field of the other kind', { ...weekly, from: '2026-12-24T00:00' }, /windows\[0\] has an unknown field "from"/],
    ['an impossible date', { ...range, from: '2026-02-30T10:00' }, /windows\[0\]\.from: "2026-02-30T10:00" is not a valid calendar date/],
    ['a date with seconds', { ...range, to: '2026-12-27T00:00:00' }, /windows\[0\]\.to must be a local date and time "YYYY-MM-DDTHH:MM"/],
    ['a date with an offset', { ...range, to: '2026-12-27T00:00Z' }, /windows\[0\]\.to must be a local date and time/],
    ['a range that ends before it starts', { ...range, to: '2026-12-23T00:00' }, /windows\[0\]\.to \(2026-12-23T00:00\) must be after freeze\.windows\[0\]\.from/],
    ['an empty range', { ...range, to: range.from }, /must be after/],
    ['a non-string reason', { ...range, reason: 42 }, /windows\[0\]\.reason must be a string/],
  ])('refuses %s', (_name, window, message) => {
    expect(() => parseFreezePolicy({ windows: [window] })).toThrow(ValidationError);
    expect(() => parseFreezePolicy({ windows: [window] })).toThrow(message);
  });

  it('refuses a malformed policy', () => {
    expect(() => parseFreezePolicy({ onFreeze: 'skip' })).toThrow(/freeze\.onFreeze must be "wait" or "fail", got "skip"/);
    expect(() => parseFreezePolicy({ windows: 'weekends' })).toThrow(/freeze\.windows must be an array/);
    expect(() => parseFreezePolicy({ window: [] })).toThrow(/freeze has an unknown field "window"/);
    expect(() => parseFreezePolicy(null)).toThrow(/freeze must be an object/);
  });
});
