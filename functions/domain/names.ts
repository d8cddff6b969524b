import { ValidationError } from './errors';
import { visible } from './text';

/**
 * The one rule for the names people give things: apps, environments and
 * groups. Names become URL segments, DynamoDB key parts, audit subjects and
 * object keys (a directory's groups), so they are short, lowercase ASCII, and
 * never the name of something every JavaScript object already has.
 */

export const NAME_RULE = 'lowercase letters, digits and "-", starting with a letter or digit, at most 63 characters, and not a reserved word such as "constructor"';

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * `constructor` is the one Object.prototype member the pattern lets through;
 * the rest are listed so the rule stays right if the pattern ever widens.
 */
const RESERVED: ReadonlySet<string> = new Set(['constructor', 'prototype', '__proto__', ...Object.getOwnPropertyNames(Object.prototype)]);

export const isName = (value: unknown): value is string => typeof value === 'string' && NAME.test(value) && !RESERVED.has(value);

/** Scopes of grants: a name, or `*` for all. */
export const isNameOrWildcard = (value: unknown): value is string => value === '*' || isName(value);

/** The name, or a ValidationError that names the field and shows (a safe preview of) what was given. */
export function parseName(value: unknown, field: string): string {
  if (!isName(value)) throw new ValidationError(`${field} must be a name (${NAME_RULE}), got ${preview(value)}`);
  return value;
}

/** Keys that must never be set from input: assigning them changes an object's prototype or shadows its constructor. */
export const isPrototypeKey = (key: string): boolean => key === '__proto__' || key === 'constructor' || key === 'prototype';

/** At most 40 characters of untrusted input, quoted, with control and bidi characters made visible. */
export function preview(value: unknown): string {
  if (typeof value !== 'string') return value === undefined ? 'nothing' : typeof value;
  const shown = value.length > 40 ? `${value.slice(0, 40)}… (${value.length} characters)` : value;
  return `"${visible(shown)}"`;
}
