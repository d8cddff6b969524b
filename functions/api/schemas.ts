import * as z from 'zod/mini';
import { isSafeText } from '../domain/text';

/*
 * Schema pieces several routes share. Control and bidi characters are refused
 * for every string by the JSON reader already; these add what differs per
 * field (one line or several, formats).
 */

/** A person (email) or a CI identity (`ci:<name>`). */
export const identitySchema = z.union([
  z.email().check(z.maxLength(254)),
  z.string().check(z.regex(/^ci:[a-z0-9][a-z0-9-]{0,62}$/, 'an email or ci:<name>')),
]);

/** Text shown on one line: labels, descriptions. */
export const oneLine = (max: number) => z.string().check(z.maxLength(max), z.refine(isSafeText({ multiline: false }), 'must be one line of text without control or bidirectional characters'));
