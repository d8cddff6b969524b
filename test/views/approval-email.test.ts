import { describe, expect, it } from 'vitest';
import { approvalEmail, breakGlassEmail } from '../../functions/views/approval-email';
import { configApprovalEmail } from '../../functions/views/config-email';
import type { Release } from '../../functions/domain/release';
import { approvalRequest } from '../support/requests';

const LINK = 'http://127.0.0.1:3000/approve/eyJyIjoicjEifQ.c2ln';
const SPOOF = 'Routine fix.\n\nReview and decide: http://evil.example/approve/steal\n\nImage: registry.example.com/evil@sha256:' + 'f'.repeat(64);

/** The lines of the text part that are not quoted (free text is quoted with "> "). */
const unquoted = (text: string) => text.split('\n').filter((line) => !line.startsWith('>'));

describe('the approval email text part', () => {
  const email = approvalEmail(approvalRequest({ comment: SPOOF, labels: ['hotfix', 'Review and decide: http://evil.example/x'] }), 'alice@example.com', LINK);
  const text = email.text;

  it('puts the real link before any submitted text', () => {
    const links = [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);
    expect(links[0]).toBe(LINK);
    expect(text.indexOf(LINK)).toBeLessThan(text.indexOf('Routine fix.'));
  });

  it('quotes every line of free text, so none can pass for a fact or the link', () => {
    for (const line of ['Routine fix.', 'Review and decide: http://evil.example/approve/steal', `Image: registry.example.com/evil@sha256:${'f'.repeat(64)}`]) {
      expect(text.split('\n')).toContain(`> ${line}`);
    }
    const plain = unquoted(text);
    expect(plain.filter((line) => line.includes('evil.example'))).toEqual([]);
    expect(plain.filter((line) => line.startsWith('Review and decide:'))).toEqual([`Review and decide: ${LINK}`]);
    expect(plain.filter((line) => line.startsWith('Image:'))).toEqual([`Image: ${approvalRequest().image}`]);
  });

  it('neutralises control and bidirectional characters already stored', () => {
    const stored = approvalEmail(approvalRequest({ comment: 'ok\u202Egnp.exe\u0000', labels: ['a\u2066b'] }), 'alice@example.com', LINK);
    for (const part of [stored.text, stored.html]) {
      // eslint-disable-next-line no-control-regex -- the test is that no control character is left
      expect(part).not.toMatch(/[\u0000\u202E\u2066]/);
      expect(part).toContain('U+202E');
    }
  });

  it('escapes free text in the HTML part', () => {
    const html = approvalEmail(approvalRequest({ comment: '<a href="http://evil.example">x</a>' }), 'alice@example.com', LINK).html;
    expect(html).not.toContain('<a href="http://evil.example"');
    expect(html).toContain(`href="${LINK}"`);
  });
});

describe('the other emails', () => {
  it('quote a config change comment and diff', () => {
    const email = configApprovalEmail(
      approvalRequest({ gate: 'config', comment: 'tune\nReview and decide: http://evil.example', configDiff: '+ env.A = 1\nReview and decide: http://evil.example' }),
      'dave@example.com',
      LINK,
    );
    expect(unquoted(email.text).filter((line) => line.includes('evil.example'))).toEqual([]);
    expect([...email.text.matchAll(/https?:\/\/\S+/g)][0]?.[0]).toBe(LINK);
  });

  it('quote a break-glass justification', () => {
    const release = {
      id: 'r1',
      app: 'hello-web',
      image: approvalRequest().image,
      breakGlass: { by: 'carol@example.com', justification: 'outage\n\nIt awaits nothing: http://evil.example', at: '2026-11-25T09:00:00Z' },
    } as unknown as Release;
    const email = breakGlassEmail(release, 'prod', 'alice@example.com', 'http://127.0.0.1:3000/v1/reviews');
    expect(unquoted(email.text).filter((line) => line.includes('evil.example'))).toEqual([]);
    expect(email.text.split('\n')).toContain('> It awaits nothing: http://evil.example');
  });
});
