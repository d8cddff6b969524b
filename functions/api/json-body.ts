import type { Context } from 'hono';
import { ValidationError } from '../domain/errors';
import { isPrototypeKey } from '../domain/names';
import { unsafeCharacter } from '../domain/text';
import { decodeUtf8, requireMediaType } from './media-type';

/**
 * Far deeper than any body the API takes (a policy's freeze window is five
 * levels down), far shallower than what overflows a recursive walk (a
 * stringify, a validator, the DynamoDB marshaller) at a few thousand.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Reads a JSON body as untrusted input, before any schema sees it:
 * `application/json` in UTF-8 (415 otherwise), no byte order mark, valid
 * UTF-8, nested at most MAX_JSON_DEPTH deep (checked on the text, so nothing
 * deep is ever built), valid JSON, no prototype keys (`__proto__`,
 * `constructor`, `prototype`) and no control or bidi characters in any key or
 * string. Everything else is the route's schema's business.
 */
export async function readJsonValue(c: Context): Promise<unknown> {
  requireMediaType(c.req.header('content-type'), 'application/json', 'JSON');
  const decoded = decodeUtf8(await c.req.arrayBuffer());
  if ('problem' in decoded) throw new ValidationError(decoded.problem);
  return parseJsonText(decoded.text);
}

/**
 * JSON text from an untrusted source (a request body, a form's JSON field),
 * by the same rules: nested at most MAX_JSON_DEPTH deep, valid JSON, no
 * prototype keys, no control or bidi characters in any key or string.
 * `what` names it in the messages.
 */
export function parseJsonText(text: string, what = 'the request body'): unknown {
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) throw new ValidationError(`${what === 'the request body' ? 'the body' : what} is nested more than ${MAX_JSON_DEPTH} levels deep`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError(`${what} is not valid JSON`);
  }
  checkKeysAndStrings(value);
  return value;
}

/** The deepest nesting of arrays and objects in JSON text, counted without parsing (brackets inside strings do not count). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

/** Walks the parsed value with an explicit stack (no recursion), naming the path of the first problem. */
function checkKeysAndStrings(root: unknown): void {
  const pending: Array<[value: unknown, path: string]> = [[root, '']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      const problem = unsafeCharacter(value, { multiline: true });
      if (problem) throw new ValidationError(`${path || 'body'} contains ${problem}; remove it`);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push([item, `${path}[${i}]`]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const where = path ? `${path}.${key}` : key;
        if (isPrototypeKey(key)) throw new ValidationError(`${path || 'body'} has a field named "${key}", which is never accepted`);
        const problem = unsafeCharacter(key, { multiline: false });
        if (problem) throw new ValidationError(`a field name in ${path || 'body'} contains ${problem}`);
        pending.push([item, where]);
      }
    }
  }
}
