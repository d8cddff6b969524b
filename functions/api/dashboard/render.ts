import type { Context, ErrorHandler } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { MethodNotAllowedError, TooManyRequestsError } from '../../domain/errors';
import { visible } from '../../domain/text';
import { errorFields } from '../../observability/logger';
import { ProblemPage } from '../../views/dashboard/problem-page';
import type { ApiDeps } from '../deps';
import { PROBLEM_BASE, respondWithProblem, toProblem } from '../problem';
import type { DashboardEnv, DashboardSession } from './env';

/** A whole page: personal, so never cached. */
export function renderPage(c: Context, element: HtmlEscapedString | Promise<HtmlEscapedString>, status: ContentfulStatusCode = 200) {
  c.header('cache-control', 'no-store');
  return c.html(html`<!doctype html>${element}`, status);
}

/**
 * Refusals and failures of the dashboard's routes: the same problem the API
 * would answer (type, status, detail), rendered in the dashboard's shell with
 * that status for a browser (Accept: text/html), as the API does; otherwise,
 * or without a session, it is the API's own answer (problem+json).
 */
export function dashboardErrors(deps: Pick<ApiDeps, 'log'>): ErrorHandler<DashboardEnv> {
  return (error, c) => {
    const session = c.get('session') as DashboardSession | undefined;
    // Pages are for browsers; a script or a client that did not ask for HTML gets the API's problem+json.
    if (!session || !c.req.header('accept')?.includes('text/html')) return respondWithProblem(c, error, deps.log);
    const problem = toProblem(error, visible(c.req.path.slice(0, 200)));
    if (problem.status >= 500) deps.log.error('dashboard request failed', { method: c.req.method, path: c.req.routePath, ...errorFields(error) });
    else deps.log.info('dashboard request refused', { method: c.req.method, path: c.req.routePath, status: problem.status, type: problem.type });
    if (error instanceof TooManyRequestsError) c.header('retry-after', String(error.retryAfterSeconds));
    else if (problem.status === 503) c.header('retry-after', '5');
    if (error instanceof MethodNotAllowedError) c.header('allow', error.allow.join(', '));
    const type = problem.type.startsWith(PROBLEM_BASE) ? problem.type.slice(PROBLEM_BASE.length) : problem.type;
    const shown = { title: problem.title, detail: problem.detail, status: problem.status, type };
    return renderPage(c, ProblemPage({ problem: shown, identity: session.identity, csrfToken: session.csrfToken }), problem.status as ContentfulStatusCode);
  };
}

/** `?done=` after a POST: the flash the page shows (known words only; the views echo nothing else). */
export const doneOf = (c: Context): string | undefined => c.req.query('done');
