import { describe, expect, it } from 'vitest';
import { signLink, verifyLink } from '../../functions/domain/approval-link';
import { InvalidLinkError, LinkExpiredError } from '../../functions/domain/errors';

const secret = 'x'.repeat(40);
const claim = { releaseId: 'r1', environment: 'prod', approver: 'alice@example.com', expiresAt: 2_000_000_000 };
const before = new Date(1_999_999_000 * 1000);

describe('approval links', () => {
  it('round-trips a claim', () => {
    expect(verifyLink(signLink(claim, secret), secret, before)).toEqual(claim);
  });

  it('rejects a link signed with another secret or with a changed claim', () => {
    const token = signLink(claim, secret);
    expect(() => verifyLink(token, 'y'.repeat(40), before)).toThrow(InvalidLinkError);
    const forged = signLink({ ...claim, approver: 'mallory@example.com' }, 'y'.repeat(40)).split('.')[0];
    expect(() => verifyLink(`${forged}.${token.split('.')[1]}`, secret, before)).toThrow(InvalidLinkError);
    expect(() => verifyLink(`${token}x`, secret, before)).toThrow(InvalidLinkError);
    expect(() => verifyLink('garbage', secret, before)).toThrow(InvalidLinkError);
  });

  it('expires with the request', () => {
    expect(() => verifyLink(signLink(claim, secret), secret, new Date(2_000_000_000 * 1000))).toThrow(LinkExpiredError);
  });
});
