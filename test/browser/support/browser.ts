import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from 'playwright-core';
import { binaryAvailable, requireBinary } from '../../support/binaries';

/** Debian's Chromium (the package `chromium`; .ci/run installs it). Nothing here ever downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether this browser test file runs (see binaryAvailable): a one-line skip without Chromium, a failure on CI. */
export const browserSuiteRuns = (suite: string) => binaryAvailable(CHROMIUM, 'chromium', `Browser suite (${suite})`);

/** The size of every page the suite opens, and of the screenshots in docs/screenshots. */
export const VIEWPORT = { width: 1280, height: 900 };

/**
 * Debian's Chromium, headless, through playwright-core (which bundles no
 * browser and downloads none). Playwright gives it a fresh temporary profile
 * (user-data-dir) and removes it on close.
 */
export async function launchChromium(): Promise<Browser> {
  requireBinary(CHROMIUM, 'chromium');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'],
    timeout: 30_000,
  });
}

/** What went wrong in the pages of a context: CSP violations (always a failure), uncaught errors and console errors. */
export interface PageProblems {
  cspViolations: string[];
  pageErrors: string[];
  consoleErrors: string[];
}

const CSP_BINDING = '__gatekeeperCspViolation';

/**
 * Reports every `securitypolicyviolation` event of every page (and frame) of
 * the context to the test. Installed as an init script through the DevTools
 * protocol, so it runs before the page's own scripts and is not subject to
 * the page's CSP (which is what it watches).
 */
const CSP_WATCH = `document.addEventListener('securitypolicyviolation', function (e) {
  var report = window[${JSON.stringify(CSP_BINDING)}];
  if (typeof report === 'function') report(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.documentURI + (e.sample ? ' sample: ' + e.sample : ''));
}, true);`;

/** A context (one person's cookie jar) whose pages' problems are collected. */
export interface WatchedContext {
  context: BrowserContext;
  /** Every page's problems, in the order they happened. */
  problems: PageProblems;
  /** One page's problems (for pages opened side by side). */
  problemsOf(page: Page): PageProblems;
}

const noProblems = (): PageProblems => ({ cspViolations: [], pageErrors: [], consoleErrors: [] });

/**
 * A new context (its own cookie jar: one person) at the suite's viewport,
 * collecting the problems of its pages. `bypassCSP` only for the axe runs
 * (see axe.ts); every other context runs the pages under their real CSP.
 */
export async function newWatchedContext(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedContext> {
  const context = await browser.newContext({ viewport: VIEWPORT, ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const problems = noProblems();
  const byPage = new WeakMap<Page, PageProblems>();
  const problemsOf = (page: Page) => byPage.get(page) ?? byPage.set(page, noProblems()).get(page)!;
  const record = (page: Page, kind: keyof PageProblems, line: string) => {
    problems[kind].push(line);
    problemsOf(page)[kind].push(line);
  };
  await context.exposeBinding(CSP_BINDING, ({ page }, description: string) => record(page, 'cspViolations', description));
  await context.addInitScript({ content: CSP_WATCH });
  context.on('page', (page) => {
    page.on('pageerror', (error) => record(page, 'pageErrors', `${page.url()}: ${error.message}`));
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') record(page, 'consoleErrors', `${page.url()}: ${message.text()}`);
    });
  });
  return { context, problems, problemsOf };
}

/**
 * Debian's Chromium and a test stack, started side by side. If either fails
 * the other is closed before the error is thrown, so a failed beforeAll leaves
 * nothing running.
 */
export async function startBrowserAndStack<S extends { close(): Promise<void> }>(startStack: () => Promise<S>): Promise<[Browser, S]> {
  const [browser, stack] = await Promise.allSettled([launchChromium(), startStack()]);
  if (browser.status === 'fulfilled' && stack.status === 'fulfilled') return [browser.value, stack.value];
  if (browser.status === 'fulfilled') await browser.value.close();
  if (stack.status === 'fulfilled') await stack.value.close();
  throw browser.status === 'rejected' ? browser.reason : (stack as PromiseRejectedResult).reason;
}
