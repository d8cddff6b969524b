import { ValidationError } from './errors';
import { preview } from './names';

/**
 * JSONPath, a deliberately small subset: `$`, then `.name` and `[index]`
 * segments only (`$.data.items[0].status`). No wildcards, filters, slices,
 * recursive descent or quoted names: a check's condition points at one value,
 * and a subset this small is easier to trust than a library's full grammar.
 */

const SEGMENT = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(0|[1-9][0-9]{0,8})\]/y;

/** The path's segments (names and indexes), or undefined when it is not in the subset. */
export function parseJsonPath(path: string): Array<string | number> | undefined {
  if (!path.startsWith('$') || path.length > 256) return undefined;
  const segments: Array<string | number> = [];
  SEGMENT.lastIndex = 1;
  while (SEGMENT.lastIndex < path.length) {
    const match = SEGMENT.exec(path);
    if (!match) return undefined;
    segments.push(match[1] ?? Number(match[2]));
  }
  return segments;
}

/** The value at `path` in a parsed JSON document. Only own properties count, so `$.constructor` finds nothing. */
export function jsonPathValue(document: unknown, path: string): { found: true; value: unknown } | { found: false } {
  const segments = parseJsonPath(path);
  if (!segments) throw new ValidationError(`${preview(path)} is not a JSONPath of the supported form $.a.b[0].c`);
  let value = document;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(value) || segment >= value.length) return { found: false };
      value = value[segment] as unknown;
    } else {
      if (!isObject(value) || !Object.hasOwn(value, segment)) return { found: false };
      value = value[segment];
    }
  }
  return { found: true, value };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
