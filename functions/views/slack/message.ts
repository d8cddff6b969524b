import type { OutboundEvent } from '../../domain/outbound-events';
import { dashboardLink, eventFacts, eventHeadline, eventTarget, eventTitle } from '../outbound-summary';
import { quote, type Fact } from '../plain-text';
import { clip, escapeMrkdwn, mrkdwn, plainText, SLACK_LIMITS, type SlackBlock, type SlackMessage } from './block-kit';

export type { SlackMessage } from './block-kit';

/**
 * B17: an event as a Slack incoming-webhook message. A whole channel reads it,
 * so it links to the dashboard page (where everyone signs in as themselves)
 * and never to a personal approval link. Every value is escaped, so nothing
 * anyone typed can link, mention or notify; submitted text is quoted.
 */
export function slackMessage(event: OutboundEvent): SlackMessage {
  const heading = `${eventTitle(event)}: ${eventTarget(event.subject)}`;
  const headline = eventHeadline(event);
  const facts = eventFacts(event).filter(([, value]) => value);
  const fields = facts.filter(([, , kind]) => kind !== 'submitted').slice(0, SLACK_LIMITS.fields).map(field);
  const link = dashboardLink(event.subject);
  const blocks: SlackBlock[] = [
    { type: 'header', text: plainText(`${emoji(event)} ${escapeMrkdwn(heading)}`, SLACK_LIMITS.headerText) },
    { type: 'section', text: mrkdwn(`${escapeMrkdwn(headline)}.`, SLACK_LIMITS.sectionText) },
    ...(fields.length > 0 ? [{ type: 'section' as const, fields }] : []),
    ...facts.filter(([, , kind]) => kind === 'submitted').map(quotedSection),
    ...(link && link.length <= SLACK_LIMITS.url
      ? [{ type: 'actions' as const, elements: [{ type: 'button' as const, text: plainText('Open in Gatekeeper', SLACK_LIMITS.buttonText), url: link, action_id: 'open-dashboard' }] }]
      : []),
    { type: 'context', elements: [mrkdwn(escapeMrkdwn(`${event.type} · ${event.at} · by ${event.actor} · event ${event.id}`), SLACK_LIMITS.contextText)] },
  ];
  return { text: clip(escapeMrkdwn(headline), SLACK_LIMITS.fallbackText), blocks };
}

/** Identifiers in code style, so a digest reads as one token. */
const CODE_FACTS: ReadonlySet<string> = new Set(['Image', 'Commit']);

function field([label, value]: Fact) {
  const shown = CODE_FACTS.has(label) ? `\`${escapeMrkdwn(value)}\`` : escapeMrkdwn(value);
  return mrkdwn(`*${label}*\n${shown}`, SLACK_LIMITS.fieldText);
}

/** Submitted text as a block quote: escaped first, so the only `>` left is the quote's own. */
function quotedSection([label, value]: Fact): SlackBlock {
  return { type: 'section', text: mrkdwn(`*${label}*\n${quote(escapeMrkdwn(value)).join('\n')}`, SLACK_LIMITS.sectionText) };
}

function emoji({ type, subject }: OutboundEvent): string {
  const status = subject.status ?? '';
  switch (type) {
    case 'approval.decided':
      return status === 'approved' ? '✅' : status === 'rejected' ? '❌' : '⌛';
    case 'release.finished':
      return status === 'succeeded' ? '✅' : status === 'failed' ? '❌' : 'ℹ️';
    case 'stage.deployed':
      return '✅';
    case 'check.failed':
      return '❌';
    case 'rollback.failed':
    case 'break_glass.used':
      return '🚨';
    case 'drift.detected':
      return '⚠️';
    case 'rollback.started':
    case 'rollback.succeeded':
      return '↩️';
    case 'approval.requested':
      return '⏳';
    case 'release.started':
      return '🚀';
  }
}
