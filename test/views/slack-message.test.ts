import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OUTBOUND_EVENT_TYPES, type OutboundEvent, type OutboundEventType, type OutboundSubject } from '../../functions/domain/outbound-events';
import { SLACK_LIMITS, type SlackMessage } from '../../functions/views/slack/block-kit';
import { slackMessage } from '../../functions/views/slack/message';

const DASHBOARD = 'https://gatekeeper.example.com/releases/0b7c5c1e-9f0e-4a8e-bb38-5d8f1b7f3c21';
const IMAGE = `registry.example.com/hello-web@sha256:${'a'.repeat(64)}`;

function event(type: OutboundEventType, subject: Partial<OutboundSubject> = {}): OutboundEvent {
  return {
    id: '7d0f2a4e-3c55-4f0e-9d6b-2b1a9c1f0e11',
    type,
    at: '2026-12-02T12:00:00.000Z',
    actor: 'alice@example.com',
    subject: {
      app: 'hello-web',
      releaseId: '0b7c5c1e-9f0e-4a8e-bb38-5d8f1b7f3c21',
      environment: 'prod',
      image: IMAGE,
      commit: '3f2a9c1',
      author: 'carol@example.com',
      requestedBy: 'ci:hello-web-pipeline',
      comment: 'ship it',
      status: 'approved',
      votes: [{ voter: 'alice@example.com', decision: 'approve', at: '2026-12-02T11:59:00.000Z' }],
      required: 2,
      dashboardUrl: DASHBOARD,
      ...subject,
    },
  };
}

/** Every string a Slack client renders: the fallback, headers, sections, fields, buttons, context. */
function texts(message: SlackMessage): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key?: string) => {
    if (typeof value === 'string' && key === 'text') found.push(value);
    else if (Array.isArray(value)) value.forEach((item) => walk(item));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(message);
  return found;
}

function expectWithinLimits(message: SlackMessage) {
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  expect(message.blocks.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const block of message.blocks) {
    if (block.type === 'header') {
      expect(block.text.type).toBe('plain_text');
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    } else if (block.type === 'section' && 'fields' in block) {
      expect(block.fields.length).toBeGreaterThan(0);
      expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    } else if (block.type === 'section') {
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    } else if (block.type === 'actions') {
      for (const button of block.elements) {
        expect(button.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        expect(button.url.length).toBeLessThanOrEqual(SLACK_LIMITS.url);
      }
    } else {
      expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const element of block.elements) expect(element.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
    }
  }
  for (const text of texts(message)) {
    expect(text.length).toBeGreaterThan(0);
    // Clipping never leaves half a surrogate pair (Slack refuses invalid UTF-16).
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  }
}

/** Nothing in the text can open a link, a mention or a special command: no raw `<`, every `&` an entity, `>` only as Gatekeeper's quote marker. */
function expectEscaped(message: SlackMessage) {
  for (const text of texts(message)) {
    expect(text).not.toContain('<');
    expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    for (const line of text.split('\n')) expect(line.replace(/^> ?/, '')).not.toContain('>');
  }
  for (const block of message.blocks) {
    const mrkdwn = block.type === 'section' ? ('fields' in block ? block.fields : [block.text]) : block.type === 'context' ? block.elements : [];
    for (const text of mrkdwn) expect(text).toMatchObject({ type: 'mrkdwn', verbatim: true });
  }
}

const buttons = (message: SlackMessage) => message.blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));

describe('slackMessage', () => {
  it.each(OUTBOUND_EVENT_TYPES)('renders %s with the app, environment, image, requester, comment, votes and a dashboard button', (type) => {
    const message = slackMessage(event(type));
    expectWithinLimits(message);
    expectEscaped(message);
    const all = texts(message).join('\n');
    for (const fact of ['hello-web', 'prod', IMAGE, 'ci:hello-web-pipeline', 'carol@example.com', '*Comment*\n> ship it', '1 of 2 approval(s): alice@example.com approved']) expect(all).toContain(fact);
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    // The fallback (notifications, screen readers) is the sentence saying what happened.
    expect(message.text).toBe((message.blocks[1] as { text: { text: string } }).text.text.slice(0, -1));
    expect(buttons(message)).toEqual([{ type: 'button', text: { type: 'plain_text', text: 'Open in Gatekeeper', emoji: true }, url: DASHBOARD, action_id: 'open-dashboard' }]);
  });

  it('says what happened in words, by outcome', () => {
    const headline = (e: OutboundEvent) => (slackMessage(e).blocks[1] as { text: { text: string } }).text.text;
    expect(headline(event('approval.decided', { status: 'approved' }))).toBe('alice@example.com approved hello-web → prod.');
    expect(headline(event('approval.decided', { status: 'expired' }))).toBe('Nobody decided hello-web → prod in time.');
    expect(headline(event('release.finished', { status: 'failed', environment: undefined }))).toBe('The release of hello-web ended failed.');
    const check = slackMessage(event('check.failed', { check: { name: 'smoke-test', kind: 'job', phase: 'post', detail: 'exit code 1\nconnection refused' } }));
    expect(headline(event('check.failed', { check: { name: 'smoke-test', kind: 'job', phase: 'post', detail: '' } }))).toBe('Check "smoke-test" failed in hello-web → prod.');
    expect(texts(check).join('\n')).toContain('*Check output*\n> exit code 1\n> connection refused');
    expect(texts(check).join('\n')).toContain('smoke-test (job, post)');
  });

  it('escapes what people typed, so a comment cannot link, mention or notify', () => {
    const hostile = '<!channel> <@U024BE7LH> <https://evil.example/approve/x|Approve here> Tom & Jerry > 3 <!date^1392734382^{date}|x>';
    const message = slackMessage(event('approval.decided', { comment: hostile, reason: hostile, requestedBy: '<!here>', check: { name: '<!everyone>', kind: 'job', phase: 'post', detail: hostile } }));
    expectEscaped(message);
    const all = JSON.stringify(message);
    for (const raw of ['<!channel>', '<@U024BE7LH>', '<https://evil.example', '<!here>', '<!everyone>', '<!date']) expect(all).not.toContain(raw);
    expect(texts(message).join('\n')).toContain('&lt;!channel&gt; &lt;@U024BE7LH&gt; &lt;https://evil.example/approve/x|Approve here&gt; Tom &amp; Jerry &gt; 3');
    // Control and bidi characters are shown, not obeyed.
    expect(texts(slackMessage(event('stage.deployed', { comment: 'ok\u202Egnp.exe' }))).join('\n')).toContain('ok&lt;U+202E&gt;gnp.exe');
  });

  it('never carries a personal approval link: only the dashboard page, and nothing else that is not one', () => {
    for (const type of OUTBOUND_EVENT_TYPES) {
      const json = JSON.stringify(slackMessage(event(type, { comment: 'fine' })));
      expect(json).not.toMatch(/\/approve\/|\/a\//);
      expect(json).not.toMatch(/https?:\/\/(?!gatekeeper\.example\.com\/releases\/)/);
    }
    for (const url of ['https://gatekeeper.example.com/approve/eyJyIjoicjEifQ.c2ln', 'https://gatekeeper.example.com/a/eyJyIjoicjEifQ', 'javascript:alert(1)', 'not a url', `https://gatekeeper.example.com/${'x'.repeat(3000)}`]) {
      const message = slackMessage(event('approval.requested', { dashboardUrl: url }));
      expect(buttons(message)).toEqual([]);
      expect(JSON.stringify(message)).not.toContain(url);
    }
  });

  it('stays within Block Kit limits and escaped for any input, however long or hostile', () => {
    const piece = fc.oneof(
      fc.constantFrom('<', '>', '&', '&amp;', '<!channel>', '<https://evil.example|x>', '\u202E', '\u0000', '\r', '\n', '😀', '*', '`', '```', '> '),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    const hostile = fc.array(piece, { maxLength: 400 }).map((parts) => parts.join(''));
    const arb = fc.record({
      type: fc.constantFrom(...OUTBOUND_EVENT_TYPES),
      id: hostile,
      actor: hostile,
      subject: fc.record({
        app: hostile,
        environment: fc.option(hostile, { nil: undefined }),
        image: fc.option(hostile, { nil: undefined }),
        commit: fc.option(hostile, { nil: undefined }),
        author: fc.option(hostile, { nil: undefined }),
        requestedBy: fc.option(hostile, { nil: undefined }),
        comment: fc.option(hostile, { nil: undefined }),
        status: fc.option(hostile, { nil: undefined }),
        reason: fc.option(hostile, { nil: undefined }),
        required: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
        votes: fc.array(fc.record({ voter: hostile, decision: fc.constantFrom('approve' as const, 'reject' as const), comment: fc.option(hostile, { nil: undefined }), at: fc.constant('2026-12-02T12:00:00Z') }), { maxLength: 60 }),
        check: fc.option(fc.record({ name: hostile, kind: hostile, phase: hostile, detail: hostile }), { nil: undefined }),
        dashboardUrl: fc.oneof(fc.webUrl(), hostile),
      }),
    });
    fc.assert(
      fc.property(arb, ({ type, id, actor, subject }) => {
        const message = slackMessage({ id, type, at: '2026-12-02T12:00:00.000Z', actor, subject });
        expectWithinLimits(message);
        expectEscaped(message);
        expect(JSON.stringify(message)).not.toMatch(/"url":"[^"]*\/(approve|a)\//);
      }),
      { numRuns: 100 },
    );
  });
});
