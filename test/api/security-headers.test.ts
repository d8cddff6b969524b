import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, imageFor, linkFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';

/** Every response carries the security headers; every HTML page renders under its CSP (no inline script or style but the hashed sheet; scripts only from this origin). */

let stack: TestStack;
let ci: ReturnType<typeof api>;

beforeAll(async () => {
  stack = await startTestStack({ reconcileIntervalMs: 0 });
  ci = api(stack);
});
afterAll(() => stack?.close());

function expectSecurityHeaders(response: Response, what: string) {
  const csp = response.headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "script-src 'self'", "connect-src 'self'"]) expect(csp, what).toContain(directive);
  // Scripts and fetches from this origin only (the dashboard's /assets/*.js): nothing inline, no eval, no other host.
  expect(/script-src ([^;]*)/.exec(csp)?.[1]?.trim(), what).toBe("'self'");
  expect(/connect-src ([^;]*)/.exec(csp)?.[1]?.trim(), what).toBe("'self'");
  expect(csp, what).not.toContain('unsafe-inline');
  expect(csp, what).not.toContain('unsafe-eval');
  expect(response.headers.get('x-frame-options'), what).toBe('DENY');
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(response.headers.get('x-powered-by'), what).toBeNull();
}

/** The page's one stylesheet is allowed by its hash, and nothing else inline would run or apply. */
async function expectPageRendersUnderCsp(response: Response, what: string) {
  const html = await response.text();
  expect(response.headers.get('content-type'), what).toContain('text/html');
  const sheets = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
  expect(sheets, what).toHaveLength(1);
  const hash = createHash('sha256').update(sheets[0]!, 'utf8').digest('base64');
  expect(response.headers.get('content-security-policy'), what).toContain(`'sha256-${hash}'`);
  expect(html, what).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
  return html;
}

describe('security headers', () => {
  it('are on the link page, the decision page and the HTML problem page', async () => {
    const created = await ci.startRelease({ app: 'hello-web', image: imageFor('headers') });
    const id = String(created.json.id);
    await ci.waitForStatus(id, ['waiting_for_approval']);
    const link = await linkFor(stack, id, 'bob@example.com');

    const page = await fetch(link);
    expectSecurityHeaders(page, 'link page');
    expect(page.headers.get('cache-control')).toBe('no-store');
    await expectPageRendersUnderCsp(page, 'link page');

    const decided = await fetch(link, { method: 'POST', body: new URLSearchParams({ decision: 'approve' }), headers: { accept: 'text/html' } });
    expect(decided.status).toBe(200);
    expectSecurityHeaders(decided, 'decision page');
    expect(decided.headers.get('cache-control')).toBe('no-store');
    await expectPageRendersUnderCsp(decided, 'decision page');

    const problem = await fetch(`${stack.apiUrl}/approve/not-a-token`, { headers: { accept: 'text/html' } });
    expect(problem.status).toBe(403);
    expectSecurityHeaders(problem, 'problem page');
    await expectPageRendersUnderCsp(problem, 'problem page');
  });

  it('are on JSON answers, problems, 404s, 405s and 413s too', async () => {
    const headers = { authorization: `Bearer ${stack.ciToken}` };
    const responses: Array<[string, Promise<Response>]> = [
      ['json', fetch(`${stack.apiUrl}/v1/approvals`, { headers })],
      ['health', fetch(`${stack.apiUrl}/healthz`)],
      ['problem+json', fetch(`${stack.apiUrl}/v1/releases/nope`, { headers })],
      ['401', fetch(`${stack.apiUrl}/v1/approvals`)],
      ['404', fetch(`${stack.apiUrl}/nothing-here`)],
      ['405', fetch(`${stack.apiUrl}/healthz`, { method: 'DELETE' })],
      ['413', fetch(`${stack.apiUrl}/v1/releases`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: 'x'.repeat(70_000) })],
    ];
    for (const [what, pending] of responses) {
      const response = await pending;
      await response.arrayBuffer();
      expectSecurityHeaders(response, what);
    }
  });
});
