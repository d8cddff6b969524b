import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';
import { ROUTES, routeKey, urlOf, type RouteCase } from './support/route-table';

/**
 * Whatever JSON an admin sends to any JSON route, and whatever path segment
 * anyone puts where a name or id goes, the answer is never a 5xx: bad input is
 * the caller's problem (4xx), and our side does not fall over on it. Runs are
 * bounded per route class so the file stays within a few seconds.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
});
afterAll(() => stack?.close());

const RUNS = 100;

/** Any JSON, with every kind of string (lone surrogates, controls, bidi). */
const anyJson = fc.jsonValue({ maxDepth: 5, stringUnit: 'binary' });

/** Keys, including the ones that reach prototypes. */
const anyKey = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'));

/**
 * A valid body with one field replaced by arrays nested up to 6 000 deep, as
 * text: JSON.stringify itself overflows the stack at such depths, which is
 * the very failure this looks for on the server.
 */
function deeplyNested(valid: unknown): fc.Arbitrary<string> {
  const keys = typeof valid === 'object' && valid !== null && !Array.isArray(valid) ? Object.keys(valid) : [];
  return fc.tuple(fc.constantFrom(...keys, 'x'), fc.integer({ min: 1, max: 6000 })).map(([key, depth]) => {
    const rest = Object.fromEntries(Object.entries(valid as object).filter(([k]) => k !== key));
    return `{${JSON.stringify(key)}:${'['.repeat(depth)}${']'.repeat(depth)}${Object.keys(rest).length > 0 ? `,${JSON.stringify(rest).slice(1, -1)}` : ''}}`;
  });
}

/** Mostly-valid bodies get deeper into validation than random ones: keep the valid keys, replace some values. */
function nearlyValid(valid: unknown): fc.Arbitrary<unknown> {
  if (Array.isArray(valid)) return fc.tuple(...valid.map((item) => fc.oneof(fc.constant(item), nearlyValid(item))));
  if (typeof valid !== 'object' || valid === null) return anyJson;
  const entries = Object.entries(valid);
  const values = entries.map(([, value]) => fc.oneof({ weight: 2, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: anyJson }, { weight: 1, arbitrary: nearlyValid(value) }));
  const extra = fc.option(fc.dictionary(anyKey, anyJson, { maxKeys: 2 }), { freq: 5 });
  return fc.tuple(fc.tuple(...values), extra).map(([chosen, more]) => ({ ...Object.fromEntries(entries.map(([key], i) => [key, chosen[i]])), ...(more ?? {}) }));
}

const call = async (method: string, url: string, init: RequestInit = {}) => {
  const response = await fetch(url, { method, ...init, headers: { authorization: `Bearer ${stack.adminToken}`, ...init.headers } });
  const text = await response.text();
  return { status: response.status, text };
};

const jsonRoutes = ROUTES.filter((r) => r.json);
const CLASSES: Record<string, RouteCase[]> = {
  releases: jsonRoutes.filter((r) => r.path.startsWith('/v1/releases')),
  votes: jsonRoutes.filter((r) => r.path.startsWith('/v1/approvals') || r.path.startsWith('/v1/reviews')),
  apps: jsonRoutes.filter((r) => r.path.startsWith('/v1/apps') && !r.path.includes('config') && !r.path.includes('rollback')),
  config: jsonRoutes.filter((r) => r.path.includes('config') || r.path.includes('rollback')),
  directory: jsonRoutes.filter((r) => r.path.startsWith('/v1/directory') || r.path.startsWith('/v1/tokens')),
};

describe('random JSON bodies never produce a 5xx', () => {
  it('covers every JSON route in some class', () => {
    expect(Object.values(CLASSES).flat().map(routeKey).sort()).toEqual(jsonRoutes.map(routeKey).sort());
  });

  it.each(Object.entries(CLASSES))('%s', async (_name, routes) => {
    const text = (route: RouteCase) => fc.oneof(anyJson.map((v) => JSON.stringify(v)), nearlyValid(route.json?.valid).map((v) => JSON.stringify(v)), deeplyNested(route.json?.valid));
    const body = fc.constantFrom(...routes).chain((route) => fc.tuple(fc.constant(route), text(route)));
    await fc.assert(
      fc.asyncProperty(body, async ([route, json]) => {
        const response = await call(route.method, urlOf(stack, route), { body: json, headers: { 'content-type': 'application/json' } });
        expect(response.status, `${routeKey(route)} ${json.slice(0, 200)} → ${response.text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('random path segments never produce a 5xx', () => {
  const withParams = ROUTES.filter((r) => r.params);
  it('on any route, in any parameter', async () => {
    const segment = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '.', '..', '%', '*'));
    const input = fc.tuple(fc.constantFrom(...withParams), segment).chain(([route, value]) => fc.tuple(fc.constant(route), fc.constantFrom(...Object.keys(route.params ?? {})), fc.constant(value)));
    await fc.assert(
      fc.asyncProperty(input, async ([route, param, value]) => {
        const url = urlOf(stack, route, { [param]: encodeURIComponent(value).replaceAll('.', '%2E') });
        const init: RequestInit = route.json ? { body: JSON.stringify(route.json.valid), headers: { 'content-type': 'application/json' } } : {};
        const response = await call(route.method, url, init);
        expect(response.status, `${routeKey(route)} :${param}=${JSON.stringify(value)} → ${response.text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS + 50 },
    );
  });
});

describe('random forms never produce a 5xx', () => {
  it('on the email link', async () => {
    const route = ROUTES.find((r) => r.form)!;
    const field = fc.tuple(fc.constantFrom('decision', 'comment', 'other', '__proto__'), fc.string({ unit: 'binary', maxLength: 40 }));
    await fc.assert(
      fc.asyncProperty(fc.array(field, { maxLength: 4 }), async (fields) => {
        const body = fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const response = await call('POST', urlOf(stack, route), { body, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' } });
        expect(response.status, `${body.slice(0, 200)} → ${response.text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });
});
