import type { CheckDefinition } from '../domain/checks';
import type { FreezePolicy, FreezeWindow, Weekday } from '../domain/freeze';
import type { ApprovalPolicy } from '../domain/policy';

/**
 * An environment's policy in plain words, for people reading the dashboard:
 * "2 approvals, at least 1 from security; frozen Fridays 16:00–24:00
 * Europe/Berlin; checks: smoke-test (job, after deploy)". Pure: the same
 * policy always reads the same, whatever the clock or the machine's locale.
 */

const DAY_NAMES: Record<Weekday, string> = { mon: 'Mondays', tue: 'Tuesdays', wed: 'Wednesdays', thu: 'Thursdays', fri: 'Fridays', sat: 'Saturdays', sun: 'Sundays' };
const WEEK: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "a", "a and b", "a, b and c". */
export function listInWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "no approval needed", "1 approval", "2 approvals, at least 1 from security and 2 from release-managers". */
export function approvalsInWords(policy: Pick<ApprovalPolicy, 'required' | 'rules'>): string {
  if (policy.required === 0) return 'no approval needed';
  const total = plural(policy.required, 'approval');
  if (policy.rules.length === 0) return total;
  return `${total}, at least ${listInWords(policy.rules.map((rule) => `${rule.min} from ${rule.group}`))}`;
}

/** Weekly days in week order, with runs of three or more joined: "Fridays", "Saturdays and Sundays", "Mondays to Fridays". */
function daysInWords(days: readonly Weekday[]): string {
  const sorted = WEEK.filter((day) => days.includes(day));
  if (sorted.length === 7) return 'every day';
  const first = WEEK.indexOf(sorted[0] ?? 'mon');
  const consecutive = sorted.every((day, i) => WEEK.indexOf(day) === first + i);
  if (consecutive && sorted.length >= 3) return `${DAY_NAMES[sorted[0] ?? 'mon']} to ${DAY_NAMES[sorted[sorted.length - 1] ?? 'sun']}`;
  return listInWords(sorted.map((day) => DAY_NAMES[day]));
}

/** One window: "Fridays 16:00–24:00 Europe/Berlin", "Fridays 22:00–06:00 (next day) UTC", "2026-12-24 00:00 to 2027-01-02 00:00 America/New_York". */
export function freezeWindowInWords(window: FreezeWindow): string {
  const reason = window.reason ? ` (${window.reason})` : '';
  if (window.kind === 'range') return `${window.from.replace('T', ' ')} to ${window.to.replace('T', ' ')} ${window.timeZone}${reason}`;
  const days = daysInWords(window.days);
  let span: string;
  if (window.end === window.start) span = `for 24 hours from ${window.start}`;
  else if (window.end === '00:00') span = `${window.start}–24:00`;
  else if (window.end < window.start) span = `${window.start}–${window.end} (next day)`;
  else span = `${window.start}–${window.end}`;
  return `${days} ${span} ${window.timeZone}${reason}`;
}

/** "not frozen", "frozen Fridays 16:00–24:00 Europe/Berlin", with what a release does then when it fails rather than waits. */
export function freezeInWords(freeze: FreezePolicy): string {
  if (freeze.windows.length === 0) return 'never frozen';
  const windows = listInWords(freeze.windows.map(freezeWindowInWords));
  return `frozen ${windows}${freeze.onFreeze === 'fail' ? ' (a release meeting a freeze fails instead of waiting)' : ''}`;
}

const PHASE: Record<CheckDefinition['phase'], string> = { pre: 'before deploy', post: 'after deploy' };

/** "checks: smoke-test (job, after deploy) and health (http, before deploy)"; empty when there are none. */
export function checksInWords(checks: readonly CheckDefinition[] | undefined): string {
  if (!checks || checks.length === 0) return '';
  return `checks: ${listInWords(checks.map((check) => `${check.name} (${check.kind}, ${PHASE[check.phase]})`))}`;
}

/** "3 days", "36 hours", "90 minutes", "45 seconds". */
export function durationInWords(seconds: number): string {
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

/** The policy in one line: approvals; freeze (when there is one); checks (when there are any). */
export function policySummary(policy: ApprovalPolicy): string {
  const parts = [approvalsInWords(policy), policy.freeze.windows.length > 0 ? freezeInWords(policy.freeze) : '', checksInWords(policy.checks)];
  return parts.filter((part) => part !== '').join('; ');
}

/** The rest, one sentence each: expiry, superseding, rollbacks, drift. */
export function policyDetails(policy: ApprovalPolicy): string[] {
  const gated = policy.required > 0;
  return [
    ...(gated ? [`An approval request expires after ${durationInWords(policy.timeoutSeconds)}.`] : []),
    ...(gated ? [policy.supersede ? 'A newer release supersedes a pending request.' : 'A newer release does not supersede a pending request.'] : []),
    policy.rollbackRequiresApproval ? 'A rollback waits for the same approval as a release.' : 'A rollback needs no new approval (it was approved when it first shipped).',
    policy.onDrift === 'refuse'
      ? 'If the cluster runs something Gatekeeper did not deploy, deploys are refused until that is resolved.'
      : 'If the cluster runs something Gatekeeper did not deploy, the drift is recorded and the deploy goes ahead.',
  ];
}
