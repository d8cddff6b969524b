import type { Context } from 'hono';
import type * as z from 'zod/mini';
import { ValidationError } from '../domain/errors';
import { visible } from '../domain/text';
import { readJsonValue } from './json-body';

/** Reads a JSON body (see readJsonValue) and validates it; every problem becomes one readable 400. */
export async function readJson<T extends z.ZodMiniType>(c: Context, schema: T): Promise<z.infer<T>> {
  const result = schema.safeParse(await readJsonValue(c));
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/** A zod failure as one ValidationError naming each field (so a stray `.parse` elsewhere still answers 400, not 500). */
export function validationError(error: z.core.$ZodError): ValidationError {
  const problems = error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.map(visible).join(', ')}` : `${path || 'body'}: ${issue.message}`;
  });
  return new ValidationError(problems.join('; '));
}
