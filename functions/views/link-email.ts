import type { MailMessage } from '../domain/ports';
import { detailRows, escapeHtml, page } from './html';
import { factsSection, quote, type Fact } from './plain-text';

/**
 * An email carrying one approver's personal link: the facts to decide on (and
 * an optional extra block such as a diff), text and HTML. The link opens a
 * confirmation page; nothing is decided by following it (B1).
 *
 * In the text part the real link comes first, before anything a requester
 * wrote, and everything they wrote is quoted (see plain-text.ts).
 */
export function linkEmail(input: {
  to: string;
  subject: string;
  heading: string;
  intro: string;
  facts: Fact[];
  /** Submitted text shown below the facts (quoted in the text part), with its heading. */
  extra?: { heading: string; text: string; html: string };
  factsHtml?: string;
  link: string;
}): MailMessage {
  const text = [
    input.intro,
    '',
    `Review and decide: ${input.link}`,
    'The link is personal to you, works once and expires with the request. Opening it changes nothing.',
    '',
    ...factsSection(input.facts),
    ...(input.extra?.text ? ['', `${input.extra.heading}:`, ...quote(input.extra.text)] : []),
  ].join('\n');
  const html = page(
    input.subject,
    `<h2>${escapeHtml(input.heading)}</h2>
<p><a href="${escapeHtml(input.link)}">Review and approve or reject</a></p>
${input.factsHtml ?? detailRows(input.facts.map(([label, value]) => [label, escapeHtml(value)]))}
${input.extra ? `<h3>${escapeHtml(input.extra.heading)}</h3>${input.extra.html}` : ''}
<p class="note">This link is personal to ${escapeHtml(input.to)}, works once and expires with the request. Opening it changes nothing.</p>`,
  );
  return { to: input.to, subject: input.subject, text, html };
}
