import { ValidationError } from './errors';

/**
 * Free text from people and pipelines (comments, labels, reasons, config
 * values) reaches approvers in email, on the link page and in JSON. Some
 * characters let text lie about itself there: bidirectional overrides and
 * isolates reorder what is shown (U+202E makes "gpj.exe" read "exe.jpg"),
 * controls and NUL do different things in different renderers (ESC colours a
 * terminal, a lone CR overwrites a line), and an unpaired surrogate cannot be
 * stored as UTF-8 at all. They are refused where text enters and made visible
 * wherever text already stored is shown.
 */

/** Controls other than TAB, LF, CR; DEL and C1; bidi marks, embeddings, overrides and isolates; line and paragraph separators; BOM. */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's purpose
const UNSAFE_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/;
/** A CR that does not start a CRLF; and surrogates without their other half. */
const LONE_CR_OR_SURROGATE = /\r(?!\n)|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;
const ANY_UNSAFE = new RegExp(`${UNSAFE_CHARACTER.source}|${LONE_CR_OR_SURROGATE.source}`, 'g');

export interface TextRule {
  /** Comments and reasons may span lines (LF, CRLF) and hold tabs; labels, names and descriptions may not. */
  multiline: boolean;
}

const codePoint = (ch: string) => `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0xd800 && code <= 0xdfff) return `an unpaired surrogate (${codePoint(ch)})`;
  if (ch === '\n' || ch === '\r' || ch === '\t') return `a line break or tab (${codePoint(ch)})`;
  if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return `a control character (${codePoint(ch)})`;
  return `an invisible formatting character that can reorder or hide text (${codePoint(ch)})`;
}

/** What is wrong with `text` under `rule`, or undefined when it is fine. */
export function unsafeCharacter(text: string, rule: TextRule): string | undefined {
  const found = UNSAFE_CHARACTER.exec(text) ?? LONE_CR_OR_SURROGATE.exec(text) ?? (rule.multiline ? null : LINE_BREAK_OR_TAB.exec(text));
  return found ? `${describe(found[0])} at position ${found.index}` : undefined;
}

export const isSafeText = (rule: TextRule) => (text: string): boolean => unsafeCharacter(text, rule) === undefined;

/** The text, or a ValidationError naming the field and the character. */
export function checkText(text: string, field: string, rule: TextRule): string {
  const problem = unsafeCharacter(text, rule);
  if (problem) throw new ValidationError(`${field} contains ${problem}; remove it`);
  return text;
}

/** Browsers send textarea line breaks as CRLF; stored text uses LF. */
export const normaliseLineBreaks = (text: string): string => text.replace(/\r\n/g, '\n');

/**
 * For showing text that may predate the input rules (or came from elsewhere):
 * every unsafe character becomes a visible `<U+202E>` marker instead of acting.
 */
export const visible = (text: string): string => text.replace(ANY_UNSAFE, (ch) => `<${codePoint(ch)}>`);
