import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, as, runningImage } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';
import { browserSuiteRuns, startBrowserAndStack } from './support/browser';
import { closeAll, shippedRelease, signIn, type Person } from './support/dashboard';

/**
 * Issue 11, the environment page in a real browser: a config approver
 * approves a configuration draft from its diff, and a deployer rolls
 * hello-web/prod back to an earlier good deployment from its history, through
 * the confirmation page.
 */
const RUN = browserSuiteRuns('environment');
const PROD = '/apps/hello-web/envs/prod';

let stack: TestStack;
let browser: Browser;
const people: Person[] = [];

async function person(email: string, path: string): Promise<Person> {
  const signedIn = await signIn(browser, stack, email, path);
  people.push(signedIn);
  return signedIn;
}

/** `sha256:` and the first 12 hex digits: how the pages show an image. */
const shortDigest = (image: string) => `sha256:${image.slice(image.indexOf('@sha256:') + 8).slice(0, 12)}`;

describe.skipIf(!RUN)('the environment page in the browser', () => {
  beforeAll(async () => {
    [browser, stack] = await startBrowserAndStack(() => startTestStack());
  });
  afterAll(async () => {
    await closeAll(people);
    await browser?.close();
    await stack?.close();
  });
  afterEach(async () => {
    const violations = people.flatMap((p) => p.problems.cspViolations);
    await closeAll(people);
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  });

  it('a config approver approves a configuration draft from its diff and sees the published version', async () => {
    // The admin role administers (app.manage, directory.manage) but may not change configuration (duties kept apart):
    // the draft is carol's (a deployer), with the personal token the admin issues her.
    const carolApi = await as(stack, 'carol@example.com');
    const drafted = await carolApi.call('PUT', `/v1/apps/hello-web/envs/prod/config`, { override: { replicas: 3, env: { FEATURE_X: 'on' } }, comment: 'more replicas for the sale' });
    expect(drafted.status).toBe(202);

    const dave = await person('dave@example.com', PROD);
    const { page } = dave;
    const section = page.locator('.card', { hasText: 'more replicas for the sale' });
    await section.getByText('FEATURE_X').first().waitFor();
    await section.getByLabel('Comment (optional)').fill('Approved from the diff');
    await section.getByRole('button', { name: 'Approve configuration' }).click();
    await page.waitForURL((url) => url.pathname === PROD && url.searchParams.get('done') === 'approved');
    await page.getByText('You approved the draft: it is published.').waitFor();
    await page.getByText(/Version 1 by carol@example\.com, published .*, approved by dave@example\.com/).waitFor();
    expect(await page.getByText('No open draft.').count()).toBe(1);
    expect((await carolApi.call('GET', '/v1/apps/hello-web/envs/prod/config')).json).toMatchObject({ draft: null, published: { version: 1, approvedBy: ['dave@example.com'] } });
  });

  it('a deployer rolls prod back to an earlier good deployment, confirming with a reason, and the rollback release succeeds', async () => {
    const earlier = await shippedRelease(stack, 'the good one');
    const latest = await shippedRelease(stack, 'the one to undo');
    expect(await runningImage(stack, 'prod')).toBe(latest.image);

    const carol = await person('carol@example.com', PROD);
    const { page } = carol;
    const option = page.locator('#rollback-to option', { hasText: shortDigest(earlier.image) });
    await page.getByLabel('Roll back to').selectOption(await option.getAttribute('value'));
    await page.getByLabel('Reason').fill('The latest build breaks checkout');
    await page.getByRole('button', { name: 'Review rollback…' }).click();

    await page.getByRole('heading', { name: 'Roll back hello-web / prod?', level: 1 }).waitFor();
    expect(await page.getByLabel('Reason').inputValue()).toBe('The latest build breaks checkout');
    expect(await page.locator('tr', { hasText: 'Comes back' }).textContent()).toContain(earlier.image);
    await page.getByRole('button', { name: 'Roll back now' }).click();

    await page.waitForURL((url) => url.pathname === PROD && url.searchParams.get('done') === 'rollback-started');
    await page.getByText('Rollback started').waitFor();
    await page.getByRole('link', { name: 'Follow the rollback release' }).click();
    await page.locator('[id="stage-prod"] h3', { hasText: 'succeeded' }).waitFor({ timeout: 20_000 });
    const id = new URL(page.url()).pathname.split('/').pop() ?? '';
    const release = await api(stack).waitForStatus(id, ['succeeded'], 20_000);
    expect(release.image).toBe(earlier.image);
    expect(await runningImage(stack, 'prod')).toBe(earlier.image);
  });
});
