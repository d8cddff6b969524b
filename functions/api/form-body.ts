import type { Context } from 'hono';
import { ValidationError } from '../domain/errors';
import { preview } from '../domain/names';
import { checkText, normaliseLineBreaks } from '../domain/text';
import { decodeUtf8, requireMediaType } from './media-type';

/**
 * Reads an `application/x-www-form-urlencoded` body into a Map (no object, so
 * no field name can reach a prototype). Only `fields` are accepted and each at
 * most once: `decision=reject&decision=approve` is refused rather than
 * resolved by whichever parser wins. Percent-encoding must decode to UTF-8.
 */
export async function readForm(c: Context, fields: readonly string[]): Promise<Map<string, string>> {
  requireMediaType(c.req.header('content-type'), 'application/x-www-form-urlencoded', 'a form');
  const decoded = decodeUtf8(await c.req.arrayBuffer());
  if ('problem' in decoded) throw new ValidationError(decoded.problem);
  const form = new Map<string, string>();
  for (const pair of decoded.text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq < 0 ? '' : pair.slice(eq + 1));
    if (!fields.includes(name)) throw new ValidationError(`the form has an unknown field ${preview(name)} (it takes ${fields.join(', ')})`);
    if (form.has(name)) throw new ValidationError(`the form field "${name}" was sent more than once`);
    form.set(name, value);
  }
  return form;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new ValidationError('the form is not valid percent-encoded UTF-8');
  }
}

const MAX_COMMENT = 2000;

/**
 * A decision form's `decision` (approve or reject) and optional `comment`,
 * as the emailed link's page and the dashboard both post them: the comment
 * without control or bidi characters, LF line breaks, at most 2000 characters.
 */
export function decisionFrom(form: Map<string, string>): { decision: 'approve' | 'reject'; comment?: string } {
  const decision = form.get('decision');
  if (decision !== 'approve' && decision !== 'reject') {
    throw new ValidationError('the form field "decision" must be "approve" or "reject"');
  }
  const comment = checkText(normaliseLineBreaks(form.get('comment') ?? ''), 'the comment', { multiline: true }).trim();
  if (comment.length > MAX_COMMENT) throw new ValidationError(`the comment has ${comment.length} characters; at most ${MAX_COMMENT} are allowed`);
  return comment ? { decision, comment } : { decision };
}
