import { describe, expect, it } from 'vitest';
import { VerifyPage } from '../../functions/views/dashboard/audit/verify-page';

const render = (element: unknown) => String(element);

describe('the audit verify page', () => {
  it('says OK with the head', () => {
    const html = render(VerifyPage({ app: 'hello-web', result: { ok: true, events: 12, head: { seq: 12, hash: 'a'.repeat(64) } }, identity: 'erin@example.com', csrfToken: 't' }));
    expect(html).toContain('<strong>OK:</strong> all 12 events are intact and end at the stored head (event 12, hash <code>');
    expect(html).toContain('role="status"');
  });

  it('names the first break, its kind and why, as an alert', () => {
    const result = { ok: false as const, events: 12, head: { seq: 12, hash: 'b'.repeat(64) }, firstBreak: { kind: 'changed' as const, seq: 7, detail: 'event 7 was changed after it was written: its content no longer matches its hash' } };
    const html = render(VerifyPage({ app: '*', result, identity: 'admin@example.com', csrfToken: 't' }));
    expect(html).toContain('role="alert"');
    expect(html).toContain('<strong>Broken:</strong> the chain breaks at event 7 (changed).');
    expect(html).toContain('event 7 was changed after it was written');
    expect(html).toContain('Verify the audit trail of the directory');
    expect(html).toContain('href="/audit?app=*"');
  });
});
