import { visible } from '../../domain/text';

/**
 * The part of Slack's Block Kit that Gatekeeper's messages use, with the
 * limits Slack enforces: a payload over any of them is refused whole
 * (`invalid_blocks`), so every text is clipped to fit.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  url: 3000,
  /** The top-level `text`: Slack takes more, but it is only the notification fallback. */
  fallbackText: 3000,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

/** `verbatim`: Slack does not turn bare URLs, #channels or @names into links or mentions. */
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
  verbatim: true;
}

export interface LinkButton {
  type: 'button';
  text: PlainText;
  url: string;
  action_id: string;
}

export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn }
  | { type: 'section'; fields: Mrkdwn[] }
  | { type: 'actions'; elements: LinkButton[] }
  | { type: 'context'; elements: Mrkdwn[] };

/** An incoming-webhook payload: `text` is what notifications and screen readers show, `blocks` the message. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Slack's three control characters become entities, so submitted text cannot
 * open a link (`<https://…|…>`), a mention (`<!channel>`, `<@U…>`) or a date;
 * control and bidi characters are shown as `<U+…>` markers (then escaped).
 */
export const escapeMrkdwn = (text: string): string => visible(text).replace(/[&<>]/g, (ch) => ENTITIES[ch] ?? ch);

/**
 * Cuts escaped text to `max` UTF-16 units (Slack's count can only be lower)
 * with an ellipsis, never inside an entity (a dangling "&am" would show as
 * such) nor between the halves of a surrogate pair.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text
    .slice(0, max - 1)
    .replace(/[\uD800-\uDBFF]$/, '')
    .replace(/&(?:a|am|amp|l|lt|g|gt)?$/, '');
  return `${cut}…`;
}

/** Text objects from text already escaped (or Gatekeeper's own words), clipped to the limit of where they go. */
export const mrkdwn = (text: string, max: number): Mrkdwn => ({ type: 'mrkdwn', text: clip(text, max), verbatim: true });
export const plainText = (text: string, max: number): PlainText => ({ type: 'plain_text', text: clip(text, max), emoji: true });
