import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors';
import { jsonPathValue, parseJsonPath } from '../../functions/domain/json-path';

describe('JSONPath subset', () => {
  const doc = { status: 'ok', data: { items: [{ name: 'a' }, { name: 'b', ready: true }] }, 'x-y': 1, nothing: null };

  it('parses dot names and array indexes only', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.data.items[1].name')).toEqual(['data', 'items', 1, 'name']);
    expect(parseJsonPath('$[0][12]')).toEqual([0, 12]);
    for (const bad of ['', 'status', '$.', '$..a', '$.*', '$[*]', "$['a']", '$[-1]', '$[01]', '$.a[?(@.b)]', '$ .a', '$.1a']) expect(parseJsonPath(bad), bad).toBeUndefined();
  });

  it('finds values, and only own properties', () => {
    expect(jsonPathValue(doc, '$.status')).toEqual({ found: true, value: 'ok' });
    expect(jsonPathValue(doc, '$.data.items[1].ready')).toEqual({ found: true, value: true });
    expect(jsonPathValue(doc, '$.x-y')).toEqual({ found: true, value: 1 });
    expect(jsonPathValue(doc, '$.nothing')).toEqual({ found: true, value: null });
    expect(jsonPathValue(doc, '$')).toEqual({ found: true, value: doc });
    expect(jsonPathValue(doc, '$.data.items[2]')).toEqual({ found: false });
    expect(jsonPathValue(doc, '$.status.length')).toEqual({ found: false });
    expect(jsonPathValue(doc, '$.constructor')).toEqual({ found: false });
    expect(jsonPathValue(doc, '$.data[0]')).toEqual({ found: false });
    expect(() => jsonPathValue(doc, '$..x')).toThrow(ValidationError);
  });
});
