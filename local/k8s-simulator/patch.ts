import { badRequest } from './status';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNamedList = (value: unknown): value is Record<string, Json>[] =>
  Array.isArray(value) && value.every((item) => isObject(item) && typeof item.name === 'string');

/**
 * RFC 7386 JSON merge patch. With `strategic`, a list of objects that all carry
 * a `name` (containers, env, ports, volumes…) is merged item by item by name,
 * the way strategic merge patch treats those lists; other lists are replaced.
 * `$setElementOrder/…` and `$retainKeys` directives (kubectl sends them) are
 * ignored; other directives (`$patch`, …) are rejected with 400.
 */
export function mergePatch(target: unknown, patch: unknown, strategic = false): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys') continue;
    if (key.startsWith('$')) throw badRequest(`strategic merge patch directive ${key} is not supported by the simulator`);
    if (value === null) {
      delete result[key];
    } else if (strategic && isNamedList(value) && isNamedList(result[key])) {
      result[key] = mergeByName(result[key] as Record<string, Json>[], value);
    } else {
      result[key] = mergePatch(result[key], value, strategic);
    }
  }
  return result;
}

function mergeByName(current: Record<string, Json>[], patch: Record<string, Json>[]): unknown[] {
  const merged: unknown[] = [...current];
  for (const item of patch) {
    const index = merged.findIndex((existing) => (existing as Record<string, Json>).name === item.name);
    if (index === -1) merged.push(mergePatch({}, item, true));
    else merged[index] = mergePatch(merged[index], item, true);
  }
  return merged;
}
