import type { OutboundEvent, OutboundSubject } from '../domain/outbound-events';
import type { Fact } from './plain-text';

/**
 * What an outbound event says in words, shared by the Slack message and the
 * notification email so both tell the same story. Values are raw here; each
 * view escapes them for its medium.
 */

type Described = Pick<OutboundEvent, 'type' | 'actor' | 'subject'>;

/** "hello-web → prod", or the app alone for release-wide events. */
export const eventTarget = ({ app, environment }: OutboundSubject): string => (environment ? `${app} → ${environment}` : app);

const DECISION_TITLES: Record<string, string> = {
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Approval expired',
  cancelled: 'Approval cancelled',
  superseded: 'Approval superseded',
};

/** A few words: the Slack header and the email subject start with it. */
export function eventTitle({ type, subject }: Described): string {
  switch (type) {
    case 'release.started':
      return 'Release started';
    case 'approval.requested':
      return 'Approval requested';
    case 'approval.decided':
      return DECISION_TITLES[subject.status ?? ''] ?? 'Approval closed';
    case 'stage.deployed':
      return 'Deployed';
    case 'check.failed':
      return 'Check failed';
    case 'release.finished':
      return subject.status ? `Release ${subject.status}` : 'Release finished';
    case 'rollback.started':
      return 'Rollback started';
    case 'rollback.succeeded':
      return 'Rolled back';
    case 'rollback.failed':
      return 'Rollback failed';
    case 'drift.detected':
      return 'Drift detected';
    case 'break_glass.used':
      return 'Break-glass used';
  }
}

/** One sentence (no final full stop) saying what happened and who did it. */
export function eventHeadline({ type, actor, subject }: Described): string {
  const target = eventTarget(subject);
  switch (type) {
    case 'release.started':
      return `${subject.requestedBy ?? actor} started a release of ${subject.app}`;
    case 'approval.requested':
      return `${target} waits for approval`;
    case 'approval.decided':
      return decisionHeadline(subject.status, actor, target);
    case 'stage.deployed':
      return `${target} was deployed`;
    case 'check.failed':
      return `Check "${subject.check?.name ?? 'unknown'}" failed in ${target}`;
    case 'release.finished':
      return `The release of ${subject.app} ended ${subject.status ?? ''}`.trimEnd();
    case 'rollback.started':
      return `${target} is being rolled back`;
    case 'rollback.succeeded':
      return `${target} was rolled back`;
    case 'rollback.failed':
      return `${target} could not be rolled back and needs an operator`;
    case 'drift.detected':
      return `${target} runs something Gatekeeper did not deploy`;
    case 'break_glass.used':
      return `${actor} deployed ${target} past the approval gate with break-glass`;
  }
}

function decisionHeadline(status: string | undefined, actor: string, target: string): string {
  if (status === 'approved' || status === 'rejected') return `${actor} ${status} ${target}`;
  if (status === 'expired') return `Nobody decided ${target} in time`;
  if (status === 'superseded') return `The approval of ${target} was superseded by a newer release`;
  return `The approval of ${target} was ${status ?? 'closed'}`;
}

/** "1 of 2 approvals: alice@example.com approved, bob@example.com rejected"; empty when there is nothing to count. */
export function votesSummary({ votes = [], required }: OutboundSubject): string {
  if (votes.length === 0 && required === undefined) return '';
  const approvals = votes.filter((v) => v.decision === 'approve').length;
  const count = required === undefined ? `${approvals} approval(s)` : `${approvals} of ${required} approval(s)`;
  const who = votes.map((v) => `${v.voter} ${v.decision === 'approve' ? 'approved' : 'rejected'}`).join(', ');
  return who ? `${count}: ${who}` : count;
}

/**
 * The facts of an event, in the order people scan them. Free text (comments,
 * reasons, what a check saw) is `submitted`: the views quote it so it cannot
 * pass for Gatekeeper's own words.
 */
export function eventFacts({ subject }: Described): Fact[] {
  const voteComments = (subject.votes ?? []).filter((v) => v.comment).map((v) => `${v.voter}: ${v.comment}`);
  const check = subject.check;
  return [
    ['App', subject.app],
    ['Environment', subject.environment ?? ''],
    ['Image', subject.image ?? ''],
    ['Commit', subject.commit ?? ''],
    ['Author', subject.author ?? ''],
    ['Requested by', subject.requestedBy ?? ''],
    ['Status', subject.status ?? ''],
    ['Approvals', votesSummary(subject)],
    ['Check', check ? `${check.name} (${check.kind}, ${check.phase})` : ''],
    ['Check output', check?.detail ?? '', 'submitted'],
    ['Reason', subject.reason ?? '', 'submitted'],
    ['Comment', subject.comment ?? '', 'submitted'],
    ['Vote comments', voteComments.join('\n'), 'submitted'],
  ];
}

/** Emailed approval links live under `/approve/` (`/a/` is kept out too, for short links): personal, never for a channel or a bystander. */
const PERSONAL_LINK = /\/(?:approve|a)\//i;

/**
 * The subject's dashboard page, when it is an http(s) URL and not a personal
 * approval link. Anything else is left out rather than shown: a wrong link
 * in a channel would hand one approver's vote to everyone in it.
 */
export function dashboardLink(subject: Pick<OutboundSubject, 'dashboardUrl'>): string | undefined {
  if (!URL.canParse(subject.dashboardUrl)) return undefined;
  const url = new URL(subject.dashboardUrl);
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  return web && !PERSONAL_LINK.test(url.pathname + url.search + url.hash) ? subject.dashboardUrl : undefined;
}
