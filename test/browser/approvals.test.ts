import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, type ReleaseJson } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { browserSuiteRuns, startBrowserAndStack } from './support/browser';
import { cardId, closeAll, csrfFromDom, signIn, signInAtProvider, waitingRelease, type Person } from './support/dashboard';

/**
 * Issue 11 in a real browser: deciding a hello-web release from the
 * dashboard's Approvals page, as the people the demo directory seeds, signed
 * in through the local OpenID Connect provider. Also who may not decide (the
 * author, a viewer), step-up after 15 minutes and the keyboard.
 */
const RUN = browserSuiteRuns('approvals');

/** The stack's clock (API and the provider's sign-ins) runs this far ahead of the real time: step-up moves it. */
let clockOffsetMs = 0;
let stack: TestStack;
let browser: Browser;
const people: Person[] = [];

const card = (page: Page, releaseId: string) => page.locator(`[id="${cardId(releaseId)}"]`);
const stageHeading = (page: Page, environment: string) => page.locator(`[id="stage-${environment}"] h3`);

async function person(email: string, path: string): Promise<Person> {
  const signedIn = await signIn(browser, stack, email, path);
  people.push(signedIn);
  return signedIn;
}

async function voteOf(releaseId: string, voter: string) {
  const release = (await api(stack).call('GET', `/v1/releases/${releaseId}`)).json as unknown as ReleaseJson & { approvals: Array<{ votes: Array<{ voter: string; decision: string; comment?: string }> }> };
  return release.approvals.flatMap((a) => a.votes).find((v) => v.voter === voter);
}

describe.skipIf(!RUN)('approving in the browser', () => {
  beforeAll(async () => {
    [browser, stack] = await startBrowserAndStack(() => startTestStack({ clock: () => new Date(Date.now() + clockOffsetMs) }));
  });
  afterAll(async () => {
    await closeAll(people);
    await browser?.close();
    await stack?.close();
  });
  afterEach(async () => {
    clockOffsetMs = 0;
    const violations = people.flatMap((p) => p.problems.cspViolations);
    await closeAll(people);
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  });

  it('an approver signs in at the provider, approves from the Approvals page with a comment, and the open release page turns prod succeeded by itself', async () => {
    const release = await waitingRelease(stack);
    const alice = await person('alice@example.com', '/approvals');
    const { page } = alice;

    // The release page, open in another tab before the decision: its live update must show the outcome without a reload.
    const releasePage = await alice.context.newPage();
    await releasePage.goto(`${stack.apiUrl}/releases/${release.id}`);
    await stageHeading(releasePage, 'prod').filter({ hasText: 'waiting for approval' }).waitFor();
    await releasePage.evaluate('window.__sameDocument = true');

    await page.bringToFront();
    const request = card(page, release.id);
    await request.getByLabel('Comment (optional)').fill('Checked the canary, ship it');
    await request.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL((url) => url.pathname === '/approvals' && url.searchParams.get('done') === 'approved');
    await page.getByRole('status').filter({ hasText: 'You approved' }).waitFor();
    expect(await voteOf(release.id, 'alice@example.com')).toMatchObject({ decision: 'approve', comment: 'Checked the canary, ship it' });

    await releasePage.bringToFront();
    await stageHeading(releasePage, 'prod').filter({ hasText: 'succeeded' }).waitFor({ timeout: 20_000 });
    expect(await releasePage.evaluate('window.__sameDocument === true'), 'updated in place, not reloaded').toBe(true);
    expect(await releasePage.locator('#live-status').textContent()).toContain('prod succeeded');
    expect((await api(stack).release(release.id)).status).toBe('succeeded');
  });

  it('the author cannot: carol is told she cannot approve, has no approve button, and a forged POST from the page is refused 403', async () => {
    const release = await waitingRelease(stack, 'carol@example.com');
    const carol = await person('carol@example.com', '/approvals');
    const { page } = carol;
    const own = card(page, release.id);
    await own.getByText('you cannot approve this').waitFor();
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reject' }).count()).toBe(0);

    // What a script in the page could do: the session cookie and the CSRF token from the DOM, the decision form's POST.
    const csrf = await csrfFromDom(page);
    const forged = await page.evaluate(
      async ({ path, csrf }) => {
        const response = await fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/problem+json' },
          body: new URLSearchParams({ csrf, decision: 'approve', comment: 'forged' }).toString(),
        });
        return { status: response.status, body: await response.text() };
      },
      { path: `/approvals/${release.id}/prod/decision`, csrf },
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toMatch(/self-approval/i);
    expect(await voteOf(release.id, 'carol@example.com')).toBeUndefined();
    expect((await api(stack).release(release.id)).status).toBe('waiting_for_approval');
  });

  it('a viewer cannot: erin sees the overview and the release, with no approve or rollback buttons', async () => {
    const release = await waitingRelease(stack);
    const erin = await person('erin@example.com', '/');
    const { page } = erin;
    const decisionButtons = () => page.getByRole('button', { name: /approve|reject|roll ?back/i }).count();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'hello-web' }).waitFor();
    expect(await decisionButtons()).toBe(0);

    await page.goto(`${stack.apiUrl}/releases/${release.id}`);
    await stageHeading(page, 'prod').filter({ hasText: 'waiting for approval' }).waitFor();
    expect(await decisionButtons()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel release' }).count()).toBe(0);

    await page.goto(`${stack.apiUrl}/approvals`);
    await card(page, release.id).getByText('You are not an approver of this environment').waitFor();
    expect(await decisionButtons()).toBe(0);

    await page.goto(`${stack.apiUrl}/apps/hello-web/envs/prod`);
    await page.getByRole('heading', { name: 'Deployment history' }).waitFor();
    expect(await decisionButtons()).toBe(0);
    expect(await page.getByRole('link', { name: /roll back/i }).count()).toBe(0);
  });

  it('the keyboard alone: Tab reaches the approve button and Enter submits it', async () => {
    const release = await waitingRelease(stack);
    const bob = await person('bob@example.com', '/approvals');
    const { page } = bob;
    const approve = card(page, release.id).getByRole('button', { name: 'Approve' });
    await approve.waitFor();
    const focusedOnApprove = () => approve.evaluate((button) => button === button.ownerDocument.activeElement);
    let presses = 0;
    while (!(await focusedOnApprove())) {
      expect(++presses, 'Tab presses to reach Approve').toBeLessThan(80);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('done') === 'approved');
    expect(await voteOf(release.id, 'bob@example.com')).toMatchObject({ decision: 'approve' });
    await api(stack).waitForStatus(release.id, ['succeeded'], 20_000);
  });

  it('step-up after 15 minutes: the form becomes "Sign in again", the provider asks again, then approving works', async () => {
    const release = await waitingRelease(stack);
    const alice = await person('alice@example.com', '/approvals');
    const { page } = alice;
    await card(page, release.id).getByRole('button', { name: 'Approve' }).waitFor();

    clockOffsetMs = 16 * 60 * 1000;
    await page.reload();
    const request = card(page, release.id);
    const again = request.getByRole('link', { name: 'Sign in again to approve' });
    await again.waitFor();
    expect(await request.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    // The provider still has alice's session: only prompt=login (max_age=0) makes it show its form again.
    const authorizations: URL[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(stack.idpUrl) && new URL(r.url()).searchParams.has('client_id')) authorizations.push(new URL(r.url()));
    });
    await again.click();
    await signInAtProvider(page, stack, 'alice@example.com');
    await page.waitForURL((url) => url.origin === stack.apiUrl && url.pathname === '/approvals');
    expect(authorizations.map((u) => [u.searchParams.get('prompt'), u.searchParams.get('max_age')])).toContainEqual(['login', '0']);

    const fresh = card(page, release.id);
    await fresh.getByLabel('Comment (optional)').fill('Signed in again');
    await fresh.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL((url) => url.searchParams.get('done') === 'approved');
    expect(await voteOf(release.id, 'alice@example.com')).toMatchObject({ decision: 'approve', comment: 'Signed in again' });
    await api(stack).waitForStatus(release.id, ['succeeded'], 20_000);
  });
});
