import { describe, expect, it } from 'vitest';
import { commitTime, inCi } from '../../scripts/gatekeeper/options';
import { formatElapsed, renderRelease } from '../../scripts/gatekeeper/live-view';
import type { Release } from '../../scripts/gatekeeper/types';

/** The live view's frame is a pure function of the release and the time (the TTY itself: gatekeeper-cli.test.ts). */
const ID = '6f1c2a3b-0000-4000-8000-000000000001';
const release = (overrides: Partial<Release> = {}): Release => ({
  id: ID,
  app: 'hello-api',
  status: 'waiting_for_approval',
  image: 'registry.example.com/hello-api@sha256:…',
  createdAt: '2026-12-02T12:00:00.000Z',
  stages: [
    { environment: 'staging', status: 'succeeded', checks: [{ name: 'smoke-test', kind: 'job', phase: 'post', passed: true }] },
    { environment: 'prod-eu', status: 'waiting_for_approval' },
    { environment: 'prod-us', status: 'pending' },
  ],
  approvals: [
    {
      id: `${ID}.prod-eu`,
      releaseId: ID,
      app: 'hello-api',
      environment: 'prod-eu',
      status: 'pending',
      policy: { required: 2 },
      approvers: ['alice@example.com', 'bob@example.com'],
      votes: [{ voter: 'alice@example.com', decision: 'approve' }],
      approvals: 1,
    },
  ],
  ...overrides,
});
const at = (iso: string) => new Date(iso);

describe('renderRelease', () => {
  it('shows each stage in pipeline order with its status, approvals x/y with who voted and who was asked, checks, and the elapsed time', () => {
    expect(renderRelease(release(), at('2026-12-02T12:01:05Z'))).toBe(
      [
        `hello-api release ${ID}  waiting for approval  1m05s`,
        '  ✔ staging  succeeded  checks: smoke-test ✔',
        '  ◷ prod-eu  waiting for approval  approvals 1/2: alice@example.com ✔ (asked alice@example.com, bob@example.com)',
        '  · prod-us  pending',
      ].join('\n'),
    );
  });

  it('a finished release shows its whole duration (not the time since), its failures and the reason', () => {
    const failed = release({
      status: 'failed',
      finishedAt: '2026-12-02T13:02:03.000Z',
      reason: 'prod-eu: failed and was rolled back',
      stages: [
        { environment: 'staging', status: 'succeeded' },
        { environment: 'prod-eu', status: 'rolled_back', detail: 'RolloutFailed: progress deadline exceeded', checks: [{ name: 'verify', kind: 'http', phase: 'post', passed: false }] },
        { environment: 'prod-us', status: 'cancelled' },
      ],
      approvals: [{ ...release().approvals[0]!, status: 'approved', approvals: 2, votes: [{ voter: 'alice@example.com', decision: 'approve' }, { voter: 'bob@example.com', decision: 'approve' }] }],
    });
    const frame = renderRelease(failed, at('2026-12-03T00:00:00Z'));
    expect(frame.split('\n')).toEqual([
      `hello-api release ${ID}  failed  1h02m03s`,
      '  ✔ staging  succeeded',
      '  ✖ prod-eu  rolled back  approvals 2/2: alice@example.com ✔, bob@example.com ✔  checks: verify ✖  RolloutFailed: progress deadline exceeded',
      '  – prod-us  cancelled',
      '  prod-eu: failed and was rolled back',
    ]);
  });

  it('a rejection shows the reject vote; a stage without a gate shows no approvals', () => {
    const rejected = release({ approvals: [{ ...release().approvals[0]!, status: 'rejected', approvals: 0, votes: [{ voter: 'bob@example.com', decision: 'reject' }] }] });
    const lines = renderRelease(rejected, at('2026-12-02T12:00:09Z')).split('\n');
    expect(lines[2]).toContain('approvals 0/2: bob@example.com ✖');
    expect(lines[2]).not.toContain('asked');
    expect(lines[1]).not.toContain('approvals');
  });

  it('without createdAt the elapsed time counts from when following began', () => {
    const { createdAt: _createdAt, ...rest } = release();
    expect(renderRelease(rest, at('2026-12-02T12:00:42Z'), at('2026-12-02T12:00:00Z')).split('\n')[0]).toMatch(/ 42s$/);
  });

  it.each([
    [0, '0s'],
    [59.9, '59s'],
    [65, '1m05s'],
    [3725, '1h02m05s'],
    [-3, '0s'],
  ])('formatElapsed(%d) = %s', (seconds, text) => expect(formatElapsed(seconds)).toBe(text));
});

describe('options', () => {
  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'false' }, false],
    [{ CI: '' }, false],
    [{}, false],
  ])('inCi(%j) = %s', (env, expected) => expect(inCi(env)).toBe(expected));

  it('commitTime: git first (the committer date), then GitLab for its own commit, else nothing', () => {
    const git = (times: Record<string, string>) => (commit: string) => times[commit];
    expect(commitTime({}, '3f2a9c1', git({ '3f2a9c1': '2026-12-02T11:40:00+01:00' }))).toBe('2026-12-02T11:40:00+01:00');
    const gitlab = { CI_COMMIT_SHA: '3f2a9c1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', CI_COMMIT_TIMESTAMP: '2026-12-02T10:40:00Z' };
    expect(commitTime(gitlab, '3f2a9c1', git({}))).toBe('2026-12-02T10:40:00Z');
    expect(commitTime(gitlab, 'abcdef1', git({}))).toBeUndefined();
    expect(commitTime({}, '3f2a9c1', git({ '3f2a9c1': 'not a time' }))).toBeUndefined();
    // Anything but a hex SHA never reaches git (it could read as an option).
    expect(commitTime({}, '--output=/tmp/x', () => '2026-12-02T11:40:00Z')).toBeUndefined();
  });
});
