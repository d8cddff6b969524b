import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** axe-core's own build, read once from node_modules. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; failureSummary?: string; html: string }>;
}

/** The impacts the suite refuses (axe's two highest). */
const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is now and returns its serious and
 * critical violations. The pages' CSP (`script-src 'self'`) would block an
 * injected <script> with axe in it, so the page must have been opened in a
 * context created with `bypassCSP: true` (newWatchedContext's option): that
 * context is used for the axe runs only, and every other test runs the pages
 * under their real CSP.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
      return r.violations.map(function (v) {
        return { id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map(function (n) { return { target: n.target, failureSummary: n.failureSummary, html: n.html.slice(0, 300) }; }) };
      });
    })`,
  )) as AxeViolation[];
  return violations.filter((v) => v.impact !== null && BLOCKING.has(v.impact));
}

/** The violations as lines a person can act on: page, rule, impact, help, and each element with what to fix. */
export function describeViolations(name: string, violations: AxeViolation[]): string {
  return violations
    .map((v) => [`${name}: ${v.id} (${v.impact}) ${v.help} — ${v.helpUrl}`, ...v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.html}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`)].join('\n'))
    .join('\n');
}
