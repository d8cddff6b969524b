import { describe, expect, it } from 'vitest';
import { approvalPage, decisionPage } from '../../functions/views/approval-page';
import { approvalRequest } from '../support/requests';

const heading = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1] ?? '';

describe('the confirmation page', () => {
  it('asks an eligible approver of a pending request, with the form', () => {
    const html = approvalPage(approvalRequest(), 'alice@example.com', '');
    expect(heading(html)).toBe('Approve hello-web → prod?');
    expect(html).toContain('<form method="post">');
  });

  it('tells the author at once why they cannot decide, and offers no form', () => {
    for (const who of ['carol@example.com', 'ci:pipeline', 'Carol@Example.com']) {
      const html = approvalPage(approvalRequest(), who, '');
      expect(html, who).not.toContain('<form');
      expect(html, who).toMatch(/self-approval/);
      expect(heading(html), who).not.toMatch(/^Approve/);
    }
  });

  it.each([
    ['cancelled', 'cancelled by ci:pipeline'],
    ['superseded', 'superseded by release r2'],
    ['expired', undefined],
    ['rejected', undefined],
    ['approved', undefined],
  ] as const)('says a %s request is closed, and why, under a heading that fits', (status, closedReason) => {
    const html = approvalPage(approvalRequest({ status, ...(closedReason ? { closedReason } : {}) }), 'alice@example.com', '');
    expect(html).not.toContain('<form');
    expect(heading(html)).toBe(`hello-web → prod: ${status}`);
    if (closedReason) expect(html).toContain(closedReason);
  });

  it('tells a voter they already voted', () => {
    const html = approvalPage(approvalRequest({ votes: [{ voter: 'alice@example.com', decision: 'approve', at: '2026-11-25T10:00:00Z' }] }), 'alice@example.com', '');
    expect(html).not.toContain('<form');
    expect(heading(html)).toBe('You voted approve: hello-web → prod');
  });

  it('says who decided a request and links to its release in the dashboard, also to someone who voted', () => {
    const votes = [
      { voter: 'alice@example.com', decision: 'approve' as const, at: '2026-11-25T10:00:00Z' },
      { voter: 'bob@example.com', decision: 'reject' as const, at: '2026-11-25T10:01:00Z', comment: 'not now' },
    ];
    const html = approvalPage(approvalRequest({ status: 'rejected', votes, decidedAt: '2026-11-25T10:01:00Z' }), 'alice@example.com', '');
    expect(heading(html)).toBe('hello-web → prod: rejected');
    expect(html).toContain('You voted <strong>approve</strong>');
    expect(html).toContain('rejected by bob@example.com: “not now” at 2026-11-25T10:01:00Z');
    expect(html).toMatch(/<a href="\/releases\/[^"]+">See this release in the dashboard<\/a>/);
  });

  it('says that approving a configuration with rolloutOnApprove redeploys the environment', () => {
    const html = approvalPage(approvalRequest({ gate: 'config', rolloutOnApprove: true }), 'dave@example.com', '');
    expect(html).toContain('Approving also <strong>redeploys prod</strong>');
    expect(html).toContain('href="/apps/hello-web/envs/prod"');
  });

  it('names configuration approvals as such', () => {
    expect(heading(approvalPage(approvalRequest({ gate: 'config' }), 'dave@example.com', ''))).toBe('Approve the configuration of hello-web → prod?');
  });

  it('neutralises stored control and bidirectional characters in votes', () => {
    const html = approvalPage(approvalRequest({ votes: [{ voter: 'bob@example.com', decision: 'approve', comment: 'ok\u202Eexe', at: 'x' }] }), 'alice@example.com', '');
    expect(html).not.toContain('\u202E');
    expect(html).toContain('U+202E');
  });
});

describe('the decision page', () => {
  it('says what the vote did', () => {
    expect(decisionPage(approvalRequest({ status: 'approved' }), 'approve', 'approved')).toContain('The release is approved');
  });
});
