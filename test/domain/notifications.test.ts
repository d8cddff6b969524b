import { describe, expect, it } from 'vitest';
import type { Directory } from '../../functions/domain/authorization';
import { notificationsFor, notifiesAnyone } from '../../functions/domain/notifications';
import { OUTBOUND_EVENT_TYPES, type OutboundEvent, type OutboundEventType, type OutboundSubject } from '../../functions/domain/outbound-events';

/** As the demo: carol deploys, alice and bob approve prod, erin views, mallory works on another app only. */
const directory: Directory = {
  groups: { 'release-managers': ['alice@example.com', 'bob@example.com'] },
  grants: [
    { id: 'g1', subject: { user: 'ci:hello-web-pipeline' }, role: 'deployer', app: 'hello-web', environment: '*' },
    { id: 'g2', subject: { user: 'carol@example.com' }, role: 'deployer', app: 'hello-web', environment: '*' },
    { id: 'g3', subject: { group: 'release-managers' }, role: 'image-approver', app: 'hello-web', environment: 'prod' },
    { id: 'g4', subject: { user: 'erin@example.com' }, role: 'viewer', app: 'hello-web', environment: '*' },
    { id: 'g5', subject: { user: 'mallory@example.com' }, role: 'deployer', app: 'other-app', environment: '*' },
  ],
};
const ASKED = ['alice@example.com', 'bob@example.com'];

function event(type: OutboundEventType, subject: Partial<OutboundSubject> = {}, actor = 'system:release-state-machine'): OutboundEvent {
  return {
    id: 'evt-1',
    type,
    at: '2026-12-02T12:00:00.000Z',
    actor,
    subject: { app: 'hello-web', releaseId: 'r1', environment: 'prod', requestedBy: 'carol@example.com', author: 'erin@example.com', dashboardUrl: 'http://gk.example/releases/r1', ...subject },
  };
}

const told = (e: OutboundEvent, asked: readonly string[] = ASKED) => notificationsFor(e, { asked, directory });

describe('who is emailed about an event', () => {
  it('a decision: the requester, the author and the other approvers who were asked, never the deciding voter', () => {
    expect(told(event('approval.decided', { status: 'approved' }, 'alice@example.com'))).toEqual([
      { to: 'carol@example.com', role: 'requester' },
      { to: 'erin@example.com', role: 'author' },
      { to: 'bob@example.com', role: 'approver' },
    ]);
    // The voter's identity as audited may differ in case: still the same person.
    expect(told(event('approval.decided', { status: 'rejected' }, 'Bob@Example.com ')).map((n) => n.to)).not.toContain('bob@example.com');
  });

  it('an expiry or a cancellation: every approver who was asked, and the requester unless they cancelled it themselves', () => {
    expect(told(event('approval.decided', { status: 'expired' })).map((n) => [n.to, n.role])).toEqual([
      ['carol@example.com', 'requester'],
      ['erin@example.com', 'author'],
      ['alice@example.com', 'approver'],
      ['bob@example.com', 'approver'],
    ]);
    expect(told(event('approval.decided', { status: 'cancelled' }, 'carol@example.com')).map((n) => n.to)).toEqual(['erin@example.com', 'alice@example.com', 'bob@example.com']);
  });

  it('outcomes of the release: the requester and the author, not the approvers', () => {
    for (const [type, status] of [
      ['stage.deployed', 'succeeded'],
      ['check.failed', 'failed'],
      ['release.finished', 'failed'],
      ['rollback.succeeded', 'rolled_back'],
      ['rollback.failed', 'rollback_failed'],
    ] as const) {
      const e = event(type, { status });
      expect(notifiesAnyone(e)).toBe(true);
      expect(told(e)).toEqual([
        { to: 'carol@example.com', role: 'requester' },
        { to: 'erin@example.com', role: 'author' },
      ]);
    }
  });

  it('nobody for events that are no outcome for a person, or one already told', () => {
    const silent = OUTBOUND_EVENT_TYPES.filter((t) => !['approval.decided', 'stage.deployed', 'check.failed', 'release.finished', 'rollback.succeeded', 'rollback.failed'].includes(t));
    expect(silent).toEqual(['release.started', 'approval.requested', 'rollback.started', 'drift.detected', 'break_glass.used']);
    for (const type of silent) {
      expect(notifiesAnyone(event(type))).toBe(false);
      expect(told(event(type))).toEqual([]);
    }
    // A release that ended other than failed was told already (deployed, rejected, expired…).
    for (const status of ['succeeded', 'rejected', 'expired', 'cancelled', 'superseded']) {
      expect(notifiesAnyone(event('release.finished', { status }))).toBe(false);
      expect(told(event('release.finished', { status }))).toEqual([]);
    }
  });

  it('mails only people the directory knows who may view the release', () => {
    const e = (requestedBy: string, author?: string) => event('stage.deployed', { requestedBy, ...(author ? { author } : { author: undefined }) });
    // CI identities and free-form author names are not addresses.
    expect(told(e('ci:hello-web-pipeline', 'Carol Smith'))).toEqual([]);
    expect(told(e('ci:hello-web-pipeline', 'Carol Smith <carol@example.com>'))).toEqual([]);
    // An address CI put in the author field is not mailed unless it is someone with access to the app.
    expect(told(e('ci:hello-web-pipeline', 'stranger@evil.example'))).toEqual([]);
    expect(told(e('ci:hello-web-pipeline', 'mallory@example.com'))).toEqual([]);
    expect(told(e('ci:hello-web-pipeline', 'Carol@Example.COM'))).toEqual([{ to: 'carol@example.com', role: 'author' }]);
    // An approver removed from the directory since hears nothing more about the app.
    expect(told(event('approval.decided', { status: 'expired', requestedBy: 'ci:x', author: undefined }), ['alice@example.com', 'gone@example.com'])).toEqual([{ to: 'alice@example.com', role: 'approver' }]);
  });

  it('one email per person, whatever roles they hold', () => {
    expect(told(event('stage.deployed', { requestedBy: 'carol@example.com', author: 'CAROL@example.com' }))).toEqual([{ to: 'carol@example.com', role: 'requester' }]);
    expect(told(event('approval.decided', { status: 'expired' }), ['alice@example.com', 'alice@example.com', 'erin@example.com']).map((n) => n.to)).toEqual([
      'carol@example.com',
      'erin@example.com',
      'alice@example.com',
    ]);
  });

  it('release-wide events are judged against any environment of the app', () => {
    expect(told(event('release.finished', { status: 'failed', environment: undefined })).map((n) => n.to)).toEqual(['carol@example.com', 'erin@example.com']);
  });
});
