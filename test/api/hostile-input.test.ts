import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack';
import { appRoutes, routeKey, ROUTES, tableDigest, urlOf, type RouteCase } from './support/route-table';

/**
 * Every route, every family of hostile input: the answer is a 4xx
 * problem+json that says what is wrong, and the table is exactly as before
 * (no item added, removed or changed; refused input here never reaches a vote,
 * so not even an audit event is written).
 */

let stack: TestStack;

beforeAll(async () => {
  // No reconciler timer: nothing but the requests under test may touch the table.
  stack = await startTestStack({ reconcileIntervalMs: 0 });
});
afterAll(() => stack?.close());

interface Sent {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** No token at all (public routes) instead of the admin's. */
  anonymous?: boolean;
}

async function send(request: Sent): Promise<Response> {
  const headers: Record<string, string> = { ...(request.anonymous ? {} : { authorization: `Bearer ${stack.adminToken}` }), ...request.headers };
  return fetch(request.url, { method: request.method ?? 'GET', headers, ...(request.body === undefined ? {} : { body: request.body }) });
}

/** A 4xx RFC 9457 problem (of `type` and `status` when given); returns it for further checks. */
async function expectProblem(response: Response, expected: { status?: number; type?: string } = {}, context = '') {
  const text = await response.text();
  expect(response.status, `${context}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${context}: ${text.slice(0, 300)}`).toBeLessThan(500);
  if (expected.status) expect(response.status, `${context}: ${text.slice(0, 300)}`).toBe(expected.status);
  expect(response.headers.get('content-type'), context).toContain('application/problem+json');
  const problem = JSON.parse(text) as Record<string, unknown>;
  expect(problem, context).toMatchObject({
    type: expect.stringMatching(/^https:\/\/gatekeeper\.dev\/problems\/[a-z-]+$/),
    title: expect.any(String),
    status: response.status,
    detail: expect.any(String),
  });
  if (expected.type) expect(problem.type, `${context}: ${String(problem.detail)}`).toBe(`https://gatekeeper.dev/problems/${expected.type}`);
  return { response, problem };
}

/** Runs the requests and checks that the table did not change. */
async function writesNothing(requests: () => Promise<void>) {
  const before = await tableDigest(stack);
  await requests();
  const after = await tableDigest(stack);
  expect(after, 'the table changed').toEqual(before);
}

const HOSTILE_NAMES = ['Bad%20Name', '..%2Fx', 'a%23b', 'a'.repeat(10_000), '__proto__', 'constructor', 'toString'];
const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const FORBIDDEN_TEXT: Array<[string, string]> = [
  ['NUL', 'a\u0000b'],
  ['ESC (C0)', 'a\u001b[31mb'],
  ['NEL (C1)', 'a\u0085b'],
  ['RIGHT-TO-LEFT OVERRIDE', 'txt.\u202Eexe'],
  ['LEFT-TO-RIGHT ISOLATE', 'a\u2066b\u2069'],
  ['RIGHT-TO-LEFT MARK', 'a\u200Fb'],
  ['a lone carriage return', 'a\rb'],
];

const withParams = ROUTES.filter((r) => r.params && Object.keys(r.params).length > 0);
const jsonRoutes = ROUTES.filter((r): r is RouteCase & { json: NonNullable<RouteCase['json']> } => r.json !== undefined);
const formRoute = ROUTES.find((r) => r.form)!;

/** `{"__proto__": …}` cannot be written with JSON.stringify: splice raw members into a valid body. */
const withRawMember = (valid: unknown, member: string) => `{${member},${JSON.stringify(valid).slice(1)}`;

describe('the route table', () => {
  it('has a case for every route the app serves, and no stale ones', () => {
    const served = appRoutes(stack);
    const known = ROUTES.map(routeKey).sort();
    expect(served.filter((r) => !known.includes(r)), 'routes without a hostile-input case').toEqual([]);
    expect(known.filter((r) => !served.includes(r)), 'cases for routes the app does not serve').toEqual([]);
  });
});

describe('names and ids in the path', () => {
  const cases = withParams.flatMap((route) => Object.keys(route.params ?? {}).map((param) => [`${routeKey(route)} :${param}`, route, param] as const));
  it.each(cases)('%s', async (_name, route, param) => {
    await writesNothing(async () => {
      for (const value of HOSTILE_NAMES) {
        const response = await send({ url: urlOf(stack, route, { [param]: value }), method: route.method, anonymous: route.public ?? false });
        const isName = route.names?.includes(param) ?? false;
        await expectProblem(response, isName ? { status: 400, type: 'validation' } : {}, `${route.method} ${param}=${value.slice(0, 20)}`);
      }
    });
  });
});

describe('authentication', () => {
  const v1 = ROUTES.filter((r) => !r.public);
  it.each(v1.map((r) => [routeKey(r), r] as const))('%s refuses a malformed Authorization header', async (_name, route) => {
    await writesNothing(async () => {
      for (const authorization of [`Bearer ${stack.adminToken} junk`, `Bearer  ${stack.adminToken}`, `Bearer`, `Basic ${stack.adminToken}`, `Bearer ${stack.adminToken},x`]) {
        const response = await send({ url: urlOf(stack, route), method: route.method, headers: { authorization }, anonymous: true });
        await expectProblem(response, { status: 401, type: 'unauthenticated' }, authorization.slice(0, 12));
      }
    });
  });
});

describe('methods', () => {
  it.each(ROUTES.map((r) => [routeKey(r), r] as const))('%s answers another method with 405 and Allow', async (_name, route) => {
    await writesNothing(async () => {
      const response = await send({ url: urlOf(stack, route), method: 'PATCH' });
      const allow = response.headers.get('allow') ?? '';
      await expectProblem(response, { status: 405, type: 'method-not-allowed' });
      expect(allow.split(/,\s*/)).toContain(route.method);
    });
  });
});

describe('JSON bodies', () => {
  const each = jsonRoutes.map((r) => [routeKey(r), r] as const);
  /** `contentType` null sends none. */
  const post = (route: RouteCase, body: string | Uint8Array, contentType: string | null = 'application/json') =>
    send({ url: urlOf(stack, route), method: route.method, body, headers: contentType === null ? {} : { 'content-type': contentType } });

  it.each(each)('%s refuses JSON nested 5 000 deep', async (_name, route) => {
    const [first] = Object.keys(route.json.valid as object);
    await writesNothing(async () => {
      const { problem } = await expectProblem(await post(route, `{"${first}":${DEEP}}`), { status: 400, type: 'validation' });
      expect(String(problem.detail)).toMatch(/nest/);
    });
  });

  it.each(each)('%s refuses prototype keys', async (_name, route) => {
    await writesNothing(async () => {
      for (const member of ['"__proto__":{"polluted":"yes"}', '"constructor":{"prototype":{"polluted":"yes"}}', '"prototype":{"polluted":"yes"}']) {
        await expectProblem(await post(route, withRawMember(route.json.valid, member)), { status: 400, type: 'validation' }, member);
      }
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(each)('%s refuses anything but application/json in UTF-8', async (_name, route) => {
    const body = JSON.stringify(route.json.valid);
    await writesNothing(async () => {
      // A Uint8Array body makes fetch send no Content-Type at all.
      await expectProblem(await post(route, new TextEncoder().encode(body), null), { status: 415, type: 'unsupported-media-type' }, 'none');
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/jsonx']) {
        await expectProblem(await post(route, body, type), { status: 415, type: 'unsupported-media-type' }, type);
      }
    });
  });

  it.each(each)('%s refuses a body over 64 KiB', async (_name, route) => {
    await writesNothing(async () => {
      await expectProblem(await post(route, JSON.stringify({ padding: 'x'.repeat(70_000) })), { status: 413, type: 'payload-too-large' });
    });
  });

  it.each(each)('%s refuses invalid UTF-8 and a byte order mark', async (_name, route) => {
    const valid = new TextEncoder().encode(JSON.stringify(route.json.valid));
    const invalid = Buffer.concat([Buffer.from('{"comment":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]);
    await writesNothing(async () => {
      await expectProblem(await post(route, invalid), { status: 400, type: 'validation' }, 'invalid UTF-8');
      await expectProblem(await post(route, bom), { status: 400, type: 'validation' }, 'BOM');
    });
  });

  it.each(each)('%s refuses control and bidirectional characters in text', async (_name, route) => {
    await writesNothing(async () => {
      for (const [what, text] of FORBIDDEN_TEXT) {
        await expectProblem(await post(route, JSON.stringify(route.json.withText(text))), { status: 400, type: 'validation' }, what);
      }
      // In a key too.
      await expectProblem(await post(route, withRawMember(route.json.valid, '"a\u202Eb":1')), { status: 400, type: 'validation' }, 'key');
    });
  });
});

describe('the email link form', () => {
  const post = (body: string | Uint8Array, contentType?: string) =>
    send({ url: urlOf(stack, formRoute), method: 'POST', body, anonymous: true, headers: contentType ? { 'content-type': contentType } : {} });
  const FORM = 'application/x-www-form-urlencoded';

  it('refuses a duplicated or unknown field', async () => {
    await writesNothing(async () => {
      for (const body of ['decision=reject&decision=approve', 'decision=approve&comment=a&comment=b', 'decision=approve&__proto__=x', 'decision=approve&constructor=x']) {
        await expectProblem(await post(body, FORM), { status: 400, type: 'validation' }, body);
      }
    });
  });

  it('refuses other encodings, oversized and undecodable forms', async () => {
    await writesNothing(async () => {
      await expectProblem(await post(new TextEncoder().encode('decision=approve')), { status: 415, type: 'unsupported-media-type' }, 'none');
      for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
        await expectProblem(await post('decision=approve', type), { status: 415, type: 'unsupported-media-type' }, type);
      }
      await expectProblem(await post(`decision=approve&comment=${'x'.repeat(70_000)}`, FORM), { status: 413, type: 'payload-too-large' });
      await expectProblem(await post('decision=approve&comment=%FF%FE', FORM), { status: 400, type: 'validation' }, 'invalid UTF-8');
    });
  });

  it('refuses control and bidirectional characters in the comment', async () => {
    await writesNothing(async () => {
      for (const [what, text] of FORBIDDEN_TEXT) {
        await expectProblem(await post(new URLSearchParams({ decision: 'approve', comment: text }).toString(), FORM), { status: 400, type: 'validation' }, what);
      }
    });
  });
});
