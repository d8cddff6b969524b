import type { Context } from 'hono';
import type * as z from 'zod/mini';
import { ValidationError } from '../domain/errors';

/** Parses and validates a JSON body; every problem becomes one readable 400. */
export async function readJson<T extends z.ZodMiniType>(c: Context, schema: T): Promise<z.infer<T>> {
  if (!c.req.header('content-type')?.toLowerCase().startsWith('application/json')) {
    throw new ValidationError('send the body as JSON with "Content-Type: application/json"');
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ValidationError('the request body is not valid JSON');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      return issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : `${path || 'body'}: ${issue.message}`;
    });
    throw new ValidationError(problems.join('; '));
  }
  return result.data;
}
