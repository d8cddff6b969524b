import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as z from 'zod/mini';
import { GatekeeperError, MethodNotAllowedError, TooManyRequestsError } from '../domain/errors';
import { validationError } from './read-json';
import { errorFields, type Logger } from '../observability/logger';
import { visible } from '../domain/text';
import { escapeHtml, page } from '../views/html';

export const PROBLEM_BASE = 'https://gatekeeper.dev/problems/';

const RETRY_AFTER_SECONDS = 5;

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
}

/**
 * Recognised by shape, not `instanceof z.core.$ZodError`: touching the `z.core`
 * namespace at run time pulls all of zod's core (locales, JSON Schema) into the
 * bundle, doubling the API's cold start.
 */
function isZodError(error: unknown): error is z.core.$ZodError {
  return error instanceof Error && Array.isArray((error as { issues?: unknown }).issues) && /ZodError$/.test(error.name);
}

export function toProblem(thrown: unknown, instance: string): Problem {
  // Input validated with a schema's parse() instead of readJson is still the caller's mistake, not ours.
  const error = isZodError(thrown) ? validationError(thrown) : thrown;
  if (error instanceof GatekeeperError) {
    return { type: PROBLEM_BASE + error.type, title: error.title, status: error.status, detail: error.message, instance };
  }
  return {
    type: PROBLEM_BASE + 'internal',
    title: 'Internal error',
    status: 500,
    detail: 'Something went wrong on our side; the request id in the logs tells what.',
    instance,
  };
}

/** Humans following an email link get a page; everyone else gets problem+json. */
export function respondWithProblem(c: Context, error: unknown, log: Logger): Response {
  // The path may hold anything a client sent (Hono decodes it): shown safely and briefly.
  const problem = toProblem(error, visible(c.req.path.slice(0, 200)));
  if (problem.status >= 500) log.error('request failed', { method: c.req.method, path: c.req.routePath, ...errorFields(error) });
  else log.info('request refused', { method: c.req.method, path: c.req.routePath, status: problem.status, type: problem.type });
  const status = problem.status as ContentfulStatusCode;
  // A dependency that is down (503) or a caller over its share (429): tell them when to come back.
  const retryAfter = error instanceof TooManyRequestsError ? error.retryAfterSeconds : problem.status === 503 ? RETRY_AFTER_SECONDS : undefined;
  const headers: Record<string, string> = retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
  if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(', ');
  if (c.req.header('accept')?.includes('text/html')) {
    return c.html(page(problem.title, `<h2>${escapeHtml(problem.title)}</h2><p>${escapeHtml(problem.detail)}</p>`), status, headers);
  }
  return c.body(JSON.stringify(problem), status, { 'content-type': 'application/problem+json', ...headers });
}
