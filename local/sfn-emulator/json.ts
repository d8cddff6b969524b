/** JSON values as they travel through executions (structurally the same as aws-local-stepfunctions' JSONValue). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Round-trips a value through JSON like a real service boundary does (`undefined` → null, Dates → strings). */
export function toJsonValue(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

/** Replaces every occurrence of `search` inside the string leaves of `value`. */
export function replaceInStrings(value: JsonValue, search: string, replacement: string): JsonValue {
  if (typeof value === 'string') return value.split(search).join(replacement);
  if (Array.isArray(value)) return value.map((item) => replaceInStrings(item, search, replacement));
  if (isJsonObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceInStrings(v, search, replacement)]));
  }
  return value;
}
