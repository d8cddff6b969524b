import { ValidationError } from './errors';

/**
 * Deployment freezes: periods in which a release waits (or fails) instead of
 * deploying. Windows are written in a team's local wall-clock time because
 * that is how freezes are announced ("no deploys after Friday 18:00 Berlin
 * time"); this module turns them into instants.
 *
 * Wall-clock → instant rule, used for every window boundary: a local time
 * means the EARLIEST instant at which the zone's clock reads that time or
 * later. So a time that happens twice (autumn fall-back) is its first, earlier
 * occurrence, and a time that never happens (spring-forward gap) is the first
 * instant after the gap, i.e. the moment the clocks jump. A window is the
 * half-open interval [start, end) of such instants.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export type FreezeWindow =
  | {
      kind: 'weekly';
      timeZone: string;
      /** The days on which the window starts. */
      days: Weekday[];
      /** 'HH:MM' local. */
      start: string;
      /** 'HH:MM' local; end <= start means the window runs past midnight into the next day (end = start: 24 hours). */
      end: string;
      reason?: string;
    }
  | {
      kind: 'range';
      timeZone: string;
      /** 'YYYY-MM-DDTHH:MM' local. */
      from: string;
      /** 'YYYY-MM-DDTHH:MM' local, after `from`. */
      to: string;
      reason?: string;
    };

export interface FreezePolicy {
  windows: FreezeWindow[];
  /** What a release does when it meets a freeze: wait until it ends, or fail at once. */
  onFreeze: 'wait' | 'fail';
}

export interface ActiveFreeze {
  window: FreezeWindow;
  /** When the freeze (merged with any window that continues it without a gap) ends. */
  endsAt: Date;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Sunday first, matching Date#getUTCDay. */
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MAX_WINDOWS = 50;
const MAX_REASON_LENGTH = 500;
/**
 * How many back-to-back windows endsAt follows. A freeze can chain forever
 * (a window every day, all day); then endsAt is where the chain was cut, and
 * the caller, re-checking at that instant, finds it still frozen and waits again.
 */
const MAX_CHAINED_WINDOWS = 64;

// ---------------------------------------------------------------------------
// Evaluation

/** The freeze in force at `now`, if any, with the instant it ends. */
export function activeFreeze(policy: FreezePolicy, now: Date): ActiveFreeze | undefined {
  const at = now.getTime();
  const active = policy.windows.map((window) => ({ window, until: activeUntil(window, at) }));
  const first = active.find((a) => a.until !== undefined);
  if (!first) return undefined;
  let endsAt = Math.max(...active.map((a) => a.until ?? at));
  // A window that is in force at the instant another ends continues the freeze.
  for (let step = 0; step < MAX_CHAINED_WINDOWS; step++) {
    const continued = policy.windows.map((window) => activeUntil(window, endsAt)).filter((until) => until !== undefined);
    if (continued.length === 0) break;
    endsAt = Math.max(...continued);
  }
  return { window: first.window, endsAt: new Date(endsAt) };
}

/** End instant of the occurrence of `window` that contains `at`, if one does. */
function activeUntil(window: FreezeWindow, at: number): number | undefined {
  if (window.kind === 'range') {
    const start = instantOf(window.timeZone, localDateTime(window.from));
    const end = instantOf(window.timeZone, localDateTime(window.to));
    return start <= at && at < end ? end : undefined;
  }
  const startMinutes = minutesOf(window.start);
  const endMinutes = minutesOf(window.end);
  const overnight = endMinutes <= startMinutes;
  const today = Math.floor(wallClock(window.timeZone, at) / DAY) * DAY;
  let until: number | undefined;
  // Yesterday's overnight occurrence may still run; around a transition at
  // midnight the local date can even step back a day, hence two days either side.
  for (let offset = -2; offset <= 1; offset++) {
    const day = today + offset * DAY;
    if (!window.days.includes(WEEKDAYS[new Date(day).getUTCDay()] as Weekday)) continue;
    const start = instantOf(window.timeZone, day + startMinutes * MINUTE);
    const end = instantOf(window.timeZone, day + (overnight ? DAY : 0) + endMinutes * MINUTE);
    if (start <= at && at < end) until = Math.max(until ?? end, end);
  }
  return until;
}

// ---------------------------------------------------------------------------
// Time-zone arithmetic. A wall-clock time is represented as the epoch
// milliseconds of the same calendar reading in UTC ("local milliseconds"),
// which makes date arithmetic plain addition.

/** Formatters are costly to build; a zone's is reused. Bounded, as zone names arrive from input. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 500;

/** Throws RangeError for a zone the runtime does not know. */
function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(timeZone, format);
  }
  return format;
}

/** The zone's wall clock at `instant`, as local milliseconds. */
function wallClock(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const part: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(new Date(whole))) part[type] = Number(value);
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = part;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (instant - whole);
}

const offsetAt = (timeZone: string, instant: number) => wallClock(timeZone, instant) - instant;

/** The earliest instant at which the zone's clock reads `local` or later (see the module comment). */
function instantOf(timeZone: string, local: number): number {
  // Offsets a day either side bracket any single transition near `local`:
  // one of them is the offset in force at the answer, unless it lies in a gap.
  const candidates = [...new Set([local - offsetAt(timeZone, local - DAY), local - offsetAt(timeZone, local + DAY)])].sort((a, b) => a - b);
  const exact = candidates.find((instant) => wallClock(timeZone, instant) === local);
  if (exact !== undefined) return exact;
  // Spring-forward gap: the clock reads earlier than `local` at the first
  // candidate and later at the last; find the jump to the second (zone
  // transitions fall on whole seconds).
  let before = candidates[0] ?? local;
  let after = candidates[candidates.length - 1] ?? local;
  while (after - before > 1000) {
    const middle = before + Math.floor((after - before) / 2000) * 1000;
    if (wallClock(timeZone, middle) >= local) after = middle;
    else before = middle;
  }
  return after;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function localDateTime(value: string): number {
  const [date = '', time = ''] = value.split('T');
  const [year = 0, month = 1, day = 1] = date.split('-').map(Number);
  return Date.UTC(year, month - 1, day) + minutesOf(time) * MINUTE;
}

// ---------------------------------------------------------------------------
// Validation

/** Validates a freeze policy (as found under a policy's `freeze`); omitted fields take the defaults. */
export function parseFreezePolicy(input: unknown): FreezePolicy {
  const path = 'freeze';
  const fields = record(input, path, ['windows', 'onFreeze']);
  const onFreeze = fields.onFreeze ?? 'wait';
  if (onFreeze !== 'wait' && onFreeze !== 'fail') {
    throw new ValidationError(`${path}.onFreeze must be "wait" or "fail", got ${show(onFreeze)}`);
  }
  const windows = fields.windows ?? [];
  if (!Array.isArray(windows)) throw new ValidationError(`${path}.windows must be an array of freeze windows`);
  if (windows.length > MAX_WINDOWS) throw new ValidationError(`${path}.windows has ${windows.length} windows; at most ${MAX_WINDOWS} are allowed`);
  return { windows: windows.map((window, i) => parseWindow(window, `${path}.windows[${i}]`)), onFreeze };
}

function parseWindow(input: unknown, path: string): FreezeWindow {
  const kind = isRecord(input) ? input.kind : undefined;
  if (kind === 'weekly') {
    const fields = record(input, path, ['kind', 'timeZone', 'days', 'start', 'end', 'reason']);
    const window: FreezeWindow = {
      kind,
      timeZone: parseTimeZone(fields.timeZone, `${path}.timeZone`),
      days: parseDays(fields.days, `${path}.days`),
      start: parseTime(fields.start, `${path}.start`),
      end: parseTime(fields.end, `${path}.end`),
    };
    return withReason(window, fields.reason, path);
  }
  if (kind === 'range') {
    const fields = record(input, path, ['kind', 'timeZone', 'from', 'to', 'reason']);
    const window: FreezeWindow = {
      kind,
      timeZone: parseTimeZone(fields.timeZone, `${path}.timeZone`),
      from: parseDateTime(fields.from, `${path}.from`),
      to: parseDateTime(fields.to, `${path}.to`),
    };
    // Same fixed-width format, so string order is time order.
    if (window.to <= window.from) throw new ValidationError(`${path}.to (${window.to}) must be after ${path}.from (${window.from})`);
    return withReason(window, fields.reason, path);
  }
  throw new ValidationError(`${path}.kind must be "weekly" or "range", got ${show(kind)}`);
}

function withReason(window: FreezeWindow, reason: unknown, path: string): FreezeWindow {
  if (reason === undefined) return window;
  if (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH) {
    throw new ValidationError(`${path}.reason must be a string of at most ${MAX_REASON_LENGTH} characters`);
  }
  return { ...window, reason };
}

function parseTimeZone(input: unknown, path: string): string {
  if (typeof input !== 'string' || input === '') throw new ValidationError(`${path} must be an IANA time zone name such as "Europe/Berlin"`);
  try {
    formatter(input);
  } catch (error) {
    if (error instanceof RangeError) throw new ValidationError(`${path}: ${show(input)} is not a known IANA time zone (e.g. "Europe/Berlin", "America/New_York", "UTC")`, { cause: error });
    throw error;
  }
  return input;
}

function parseDays(input: unknown, path: string): Weekday[] {
  if (!Array.isArray(input) || input.length === 0) throw new ValidationError(`${path} must list at least one of ${WEEKDAYS.join(', ')}`);
  const days: Weekday[] = [];
  for (const day of input) {
    if (!WEEKDAYS.includes(day as Weekday)) throw new ValidationError(`${path}: ${show(day)} is not a weekday (use ${WEEKDAYS.join(', ')})`);
    if (days.includes(day as Weekday)) throw new ValidationError(`${path} lists ${show(day)} twice`);
    days.push(day as Weekday);
  }
  return days;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function parseTime(input: unknown, path: string): string {
  if (typeof input !== 'string' || !TIME.test(input)) throw new ValidationError(`${path} must be a 24-hour time "HH:MM" from 00:00 to 23:59, got ${show(input)}`);
  return input;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d$/;

function parseDateTime(input: unknown, path: string): string {
  const match = typeof input === 'string' ? DATE_TIME.exec(input) : null;
  if (!match || typeof input !== 'string') throw new ValidationError(`${path} must be a local date and time "YYYY-MM-DDTHH:MM", got ${show(input)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over into March; a real date survives the round trip.
  if (year < 1970 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new ValidationError(`${path}: ${show(input)} is not a valid calendar date (from 1970 on)`);
  }
  return input;
}

const isRecord = (input: unknown): input is Record<string, unknown> => typeof input === 'object' && input !== null && !Array.isArray(input);

/** An object with only the allowed fields: a misspelt field is refused rather than silently ignored. */
function record(input: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(input)) throw new ValidationError(`${path} must be an object`);
  const unknown = Object.keys(input).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw new ValidationError(`${path} has an unknown field ${show(unknown)} (allowed: ${allowed.join(', ')})`);
  return input;
}

const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));
