import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { LOCAL_PASSWORD } from '../../../local/idp';
import { api, as, imageFor } from '../../support/clients';
import type { TestStack } from '../../support/stack';
import { newWatchedContext, type WatchedContext } from './browser';

/** One person at their own browser context (cookie jar), signed in to the dashboard. */
export interface Person extends WatchedContext {
  email: string;
  page: Page;
}

/**
 * Fills the local provider's own login form (local/idp.ts) the way a person
 * does: by its labels and its button.
 */
export async function signInAtProvider(page: Page, stack: TestStack, email: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(`${stack.idpUrl}/interaction/`));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(LOCAL_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Opens `path` on the dashboard in a new context: without a session it is
 * sent to sign in at the provider, signs in there as `email`, and is brought
 * back to `path` (the whole OpenID Connect code flow, in the browser).
 */
export async function signIn(browser: Browser, stack: TestStack, email: string, path = '/', options: BrowserContextOptions = {}): Promise<Person> {
  const watched = await newWatchedContext(browser, options);
  const page = await watched.context.newPage();
  await page.goto(stack.apiUrl + path);
  await signInAtProvider(page, stack, email);
  const back = new URL(path, stack.apiUrl);
  await page.waitForURL((url) => url.origin === back.origin && url.pathname === back.pathname);
  return { ...watched, email, page };
}

/** The session's CSRF token, as a script on the page would read it from the DOM (every page's sign-out form carries it). */
export const csrfFromDom = (page: Page) => page.locator('input[name="csrf"]').first().inputValue();

let seed = Date.now();

/** A hello-web release started by CI (its token) with `author` as the commit's author, once it waits for prod's approval. */
export async function waitingRelease(stack: TestStack, author = 'carol@example.com', comment = 'browser suite'): Promise<{ id: string; image: string }> {
  const ci = api(stack);
  const image = imageFor(`browser-${seed++}`);
  const created = await ci.startRelease({ app: 'hello-web', image, commit: '3f2a9c1', committedAt: new Date().toISOString(), author, labels: ['browser'], comment });
  if (created.status !== 201) throw new Error(`release not started: ${created.status} ${JSON.stringify(created.json)}`);
  const id = String(created.json.id);
  await ci.waitForStatus(id, ['waiting_for_approval']);
  return { id, image };
}

/** The element id of a request's card on the Approvals page (the views' idFor(releaseId, environment)). */
export const cardId = (releaseId: string, environment = 'prod') => `${releaseId}-${environment}`.replace(/[^A-Za-z0-9_-]/g, '_');

/** Closes every context it was given, whatever happens (afterEach). */
export async function closeAll(people: Array<{ context: BrowserContext }>): Promise<void> {
  await Promise.all(people.splice(0).map((p) => p.context.close().catch(() => undefined)));
}

/** A hello-web release approved through the JSON API (by bob, a release manager) and finished: history for the pages. */
export async function shippedRelease(stack: TestStack, comment = 'shipped for the browser suite'): Promise<{ id: string; image: string }> {
  const release = await waitingRelease(stack, 'carol@example.com', comment);
  const bob = await as(stack, 'bob@example.com');
  const voted = await bob.call('POST', `/v1/approvals/${release.id}.prod/decision`, { decision: 'approve' });
  if (voted.status !== 200) throw new Error(`approval refused: ${voted.status} ${JSON.stringify(voted.json)}`);
  const done = await api(stack).waitForStatus(release.id, ['succeeded', 'failed'], 20_000);
  if (done.status !== 'succeeded') throw new Error(`release ${release.id} ended ${done.status}`);
  return release;
}
