import createClient from 'openapi-fetch';
import type { paths } from './api-types';

/** The typed HTTP client: every path, parameter and body is checked against the generated OpenAPI types. */
export type ApiClient = ReturnType<typeof createApi>;

export function createApi(baseUrl: string, token: string) {
  return createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), headers: { authorization: `Bearer ${token}` } });
}

/** A refusal by the API (an RFC 9457 problem) or no answer at all: exit 1 with `message`. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status; undefined when the server could not be reached. */
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Problem {
  type?: string;
  title?: string;
  detail?: string;
}

/**
 * The body of a successful answer, or an ApiError naming the problem type and
 * detail. Response bodies the document describes only in words are `unknown`
 * in the generated types; callers narrow them to the shapes in types.ts.
 */
export async function ok<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>, what: string): Promise<T> {
  return (await answer<T>(call, what)).data;
}

/** `ok`, with the response for its headers. */
export async function answer<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>, what: string): Promise<{ data: T; response: Response }> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ApiError(`${what}: could not reach Gatekeeper (${cause}); check GATEKEEPER_URL or --url`);
  }
  const { data, error, response } = result;
  if (response.ok) return { data: data as T, response };
  const problem = (typeof error === 'object' && error !== null ? error : {}) as Problem;
  const type = problem.type?.split('/').at(-1) ?? 'error';
  throw new ApiError(`${what}: ${response.status} ${type}: ${problem.detail ?? problem.title ?? response.statusText}`, response.status);
}
