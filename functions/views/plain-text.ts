import { normaliseLineBreaks, visible } from '../domain/text';

/**
 * The text part of an email, where no markup separates what Gatekeeper says
 * from what a requester wrote. Submitted text (comments, labels, reasons,
 * diffs of submitted values) is therefore always quoted: every line starts
 * with "> ", so a comment that reads "Review and decide: http://…" can never
 * pass for Gatekeeper's own link or a fact line. Control and bidi characters
 * are shown as `<U+…>` markers.
 */

/** A fact an approver decides on. `submitted` values were written by a person or a pipeline, not checked against a strict format. */
export type Fact = [label: string, value: string, kind?: 'submitted'];

export function quote(text: string): string[] {
  return normaliseLineBreaks(visible(text))
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'));
}

/** "Label: value" for checked values, "Label:" and quoted lines for submitted ones; empty values are left out. */
export function factLines(facts: Fact[]): string[] {
  return facts
    .filter(([, value]) => value)
    .flatMap(([label, value, kind]) => (kind === 'submitted' ? [`${label}:`, ...quote(value)] : [`${label}: ${visible(value)}`]));
}

const QUOTING_NOTE = 'Lines starting with "> " are quoted as submitted; they are not from Gatekeeper.';
const RULE = '-'.repeat(72);

/** The facts below a rule, after the note that says how submitted text is quoted: every email's text part ends so. */
export function factsSection(facts: Fact[]): string[] {
  return [RULE, QUOTING_NOTE, '', ...factLines(facts)];
}
