import { describe, expect, it } from 'vitest';
import type { CheckDefinition } from '../../functions/domain/checks';
import { DEFAULT_POLICY, parsePolicy, type ApprovalPolicy } from '../../functions/domain/policy';
import { approvalsInWords, checksInWords, durationInWords, freezeInWords, freezeWindowInWords, listInWords, policyDetails, policySummary } from '../../functions/views/policy-words';

const smokeTest: CheckDefinition = { name: 'smoke-test', kind: 'job', phase: 'post', timeoutSeconds: 300 };

describe('a policy in plain words', () => {
  it('reads the example: approvals with a group rule, a Friday-evening freeze, a post-deploy job check', () => {
    const policy = parsePolicy({
      required: 2,
      rules: [{ group: 'security', min: 1 }],
      freeze: { windows: [{ kind: 'weekly', timeZone: 'Europe/Berlin', days: ['fri'], start: '16:00', end: '00:00' }] },
      checks: [{ name: 'smoke-test', kind: 'job', phase: 'post' }],
    });
    expect(policySummary(policy)).toBe('2 approvals, at least 1 from security; frozen Fridays 16:00–24:00 Europe/Berlin; checks: smoke-test (job, after deploy)');
  });

  it('says when no approval is needed and leaves out an absent freeze and absent checks', () => {
    expect(policySummary({ ...DEFAULT_POLICY, required: 0 })).toBe('no approval needed');
    expect(policySummary(DEFAULT_POLICY)).toBe('1 approval');
  });

  it('counts approvals and lists several rules', () => {
    expect(approvalsInWords({ required: 1, rules: [] })).toBe('1 approval');
    expect(approvalsInWords({ required: 3, rules: [{ group: 'release-managers', min: 2 }, { group: 'security', min: 1 }] })).toBe('3 approvals, at least 2 from release-managers and 1 from security');
  });

  it('reads weekly windows: day runs, overnight, 24 hours, and a reason', () => {
    const weekly = (days: Array<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'>, start: string, end: string, reason?: string) => ({ kind: 'weekly' as const, timeZone: 'UTC', days, start, end, ...(reason ? { reason } : {}) });
    expect(freezeWindowInWords(weekly(['fri', 'mon', 'tue', 'wed', 'thu'], '09:00', '17:00'))).toBe('Mondays to Fridays 09:00–17:00 UTC');
    expect(freezeWindowInWords(weekly(['sat', 'sun'], '00:00', '00:00'))).toBe('Saturdays and Sundays for 24 hours from 00:00 UTC');
    expect(freezeWindowInWords(weekly(['fri'], '22:00', '06:00', 'night shift'))).toBe('Fridays 22:00–06:00 (next day) UTC (night shift)');
    expect(freezeWindowInWords(weekly(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], '12:00', '13:00'))).toBe('every day 12:00–13:00 UTC');
    expect(freezeWindowInWords(weekly(['mon', 'wed'], '12:00', '13:00'))).toBe('Mondays and Wednesdays 12:00–13:00 UTC');
  });

  it('reads date ranges and what a release does in a freeze that fails it', () => {
    const range = { kind: 'range' as const, timeZone: 'America/New_York', from: '2026-12-24T00:00', to: '2027-01-02T00:00', reason: 'holidays' };
    expect(freezeInWords({ onFreeze: 'fail', windows: [range] })).toBe('frozen 2026-12-24 00:00 to 2027-01-02 00:00 America/New_York (holidays) (a release meeting a freeze fails instead of waiting)');
    expect(freezeInWords({ onFreeze: 'wait', windows: [] })).toBe('never frozen');
  });

  it('reads checks by name, kind and phase', () => {
    expect(checksInWords(undefined)).toBe('');
    const health: CheckDefinition = { name: 'health', kind: 'http', phase: 'pre', method: 'GET', url: 'https://x.example/health', expectStatus: 200, windowSeconds: 60, intervalSeconds: 5 };
    expect(checksInWords([smokeTest, health])).toBe('checks: smoke-test (job, after deploy) and health (http, before deploy)');
  });

  it('spells durations and lists', () => {
    expect(durationInWords(259_200)).toBe('3 days');
    expect(durationInWords(86_400)).toBe('1 day');
    expect(durationInWords(7200)).toBe('2 hours');
    expect(durationInWords(5400)).toBe('90 minutes');
    expect(durationInWords(61)).toBe('61 seconds');
    expect(listInWords([])).toBe('');
    expect(listInWords(['a', 'b', 'c'])).toBe('a, b and c');
  });

  it('details expiry, superseding, rollbacks and drift, in sentences', () => {
    const policy: ApprovalPolicy = { ...DEFAULT_POLICY, supersede: false, rollbackRequiresApproval: true, onDrift: 'refuse' };
    expect(policyDetails(policy)).toEqual([
      'An approval request expires after 3 days.',
      'A newer release does not supersede a pending request.',
      'A rollback waits for the same approval as a release.',
      'If the cluster runs something Gatekeeper did not deploy, deploys are refused until that is resolved.',
    ]);
    // No gate: nothing about requests.
    expect(policyDetails({ ...DEFAULT_POLICY, required: 0 })).toHaveLength(2);
  });
});
