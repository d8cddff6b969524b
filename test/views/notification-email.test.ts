import { describe, expect, it } from 'vitest';
import type { OutboundEvent, OutboundSubject } from '../../functions/domain/outbound-events';
import { notificationEmail } from '../../functions/views/notification-email';

const DASHBOARD = 'https://gatekeeper.example.com/releases/r1';
const SPOOF = 'Routine fix.\n\nSee it in Gatekeeper: http://evil.example/approve/steal\n<script>alert(1)</script>';

const event = (subject: Partial<OutboundSubject> = {}): OutboundEvent => ({
  id: 'evt-1',
  type: 'approval.decided',
  at: '2026-12-02T12:00:00.000Z',
  actor: 'bob@example.com',
  subject: { app: 'hello-web', releaseId: 'r1', environment: 'prod', status: 'rejected', requestedBy: 'carol@example.com', comment: SPOOF, dashboardUrl: DASHBOARD, ...subject },
});

describe('the notification email', () => {
  const email = notificationEmail(event(), { to: 'carol@example.com', role: 'requester' });

  it('says what happened, why you get it, and links to the dashboard before anything submitted', () => {
    expect(email).toMatchObject({ to: 'carol@example.com', subject: '[Gatekeeper] Rejected: hello-web → prod' });
    const lines = email.text.split('\n');
    expect(lines.slice(0, 4)).toEqual(['bob@example.com rejected hello-web → prod.', 'You receive this because you requested this release.', '', `See it in Gatekeeper: ${DASHBOARD}`]);
    expect(email.html).toContain(`<a href="${DASHBOARD}">See it in Gatekeeper</a>`);
  });

  it('quotes submitted text in the text part and escapes it in the HTML part', () => {
    const unquoted = email.text.split('\n').filter((line) => !line.startsWith('>'));
    expect(unquoted.filter((line) => line.includes('evil.example'))).toEqual([]);
    expect(email.text).toContain('> See it in Gatekeeper: http://evil.example/approve/steal');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('leaves out a link that is not a dashboard page rather than pass on a personal one', () => {
    for (const url of ['https://gatekeeper.example.com/approve/eyJyIjoicjEifQ.c2ln', 'javascript:alert(1)']) {
      const message = notificationEmail(event({ dashboardUrl: url, comment: 'fine' }), { to: 'alice@example.com', role: 'approver' });
      for (const part of [message.text, message.html]) expect(part).not.toContain(url);
      expect(message.text).toContain('See it on the Gatekeeper dashboard.');
    }
  });
});
