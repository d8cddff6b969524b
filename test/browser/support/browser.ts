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

/**
 * A new context (its own cookie jar: one person) at the suite's viewport,
 * collecting the problems of its pages. `bypassCSP` only for the axe runs
 * (see axe.ts); every other context runs the pages under their real CSP.
 */
export async function newWatchedContext(browser: Browser, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; problems: PageProblems }> {
  const context = await browser.newContext({ viewport: VIEWPORT, ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const problems: PageProblems = { cspViolations: [], pageErrors: [], consoleErrors: [] };
  await context.exposeBinding(CSP_BINDING, (_source, description: string) => void problems.cspViolations.push(description));
  await context.addInitScript({ content: CSP_WATCH });
  const watch = (page: Page) => {
    page.on('pageerror', (error) => problems.pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') problems.consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
  };
  context.on('page', watch);
  return { context, problems };
}
