import type { MailMessage } from '../domain/ports';
import { detailRows, escapeHtml, page } from './html';

/**
 * An email carrying one approver's personal link: the facts to decide on (and
 * an optional extra block such as a diff), text and HTML. The link opens a
 * confirmation page; nothing is decided by following it (B1).
 */
export function linkEmail(input: {
  to: string;
  subject: string;
  heading: string;
  intro: string;
  facts: Array<[string, string]>;
  extraText?: string;
  extraHtml?: string;
  factsHtml?: string;
  link: string;
}): MailMessage {
  const facts = input.facts.filter(([, value]) => value);
  const text = [
    input.intro,
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(input.extraText ? ['', input.extraText] : []),
    '',
    `Review and decide: ${input.link}`,
    '',
    'The link is personal to you, works once and expires with the request. Opening it changes nothing.',
  ].join('\n');
  const html = page(
    input.subject,
    `<h2>${escapeHtml(input.heading)}</h2>
${input.factsHtml ?? detailRows(facts.map(([label, value]) => [label, escapeHtml(value)]))}
${input.extraHtml ?? ''}
<p><a href="${escapeHtml(input.link)}">Review and approve or reject</a></p>
<p class="note">This link is personal to ${escapeHtml(input.to)}, works once and expires with the request. Opening it changes nothing.</p>`,
  );
  return { to: input.to, subject: input.subject, text, html };
}
