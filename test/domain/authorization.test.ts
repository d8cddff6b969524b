import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  ROLE_ACTIONS,
  ROLES,
  can,
  groupsOf,
  membersWithRole,
  rolesOf,
  type Action,
  type Directory,
  type Role,
  type Scope,
} from '../../functions/domain/authorization';

/**
 * The intended permissions, written out independently of ROLE_ACTIONS so that
 * a change to the table has to be made twice, on purpose.
 */
const ALLOWED: Record<Role, Action[]> = {
  admin: ['app.view', 'app.manage', 'release.view', 'directory.manage'],
  deployer: ['app.view', 'release.start', 'release.view', 'release.cancel-own', 'release.rollback'],
  'image-approver': ['app.view', 'release.view', 'approval.decide-image', 'review.close'],
  'config-approver': ['app.view', 'release.view', 'approval.decide-config', 'review.close'],
  viewer: ['app.view', 'release.view'],
  'break-glass': ['break-glass'],
};
const WRITES: Action[] = ACTIONS.filter((action) => action !== 'app.view' && action !== 'release.view');

const granted: Scope = { app: 'hello-web', environment: 'staging' };
const SCOPES: Array<[string, Scope, boolean]> = [
  ['the granted environment', granted, true],
  ['another environment of the app', { app: 'hello-web', environment: 'prod' }, false],
  ['another app', { app: 'other-app', environment: 'staging' }, false],
];
const only = (role: Role): Directory => ({ groups: {}, grants: [{ id: 'g1', subject: { user: 'pat@example.com' }, role, app: 'hello-web', environment: 'staging' }] });

describe('can: every role × every action × scope', () => {
  const cases = ROLES.flatMap((role) =>
    ACTIONS.flatMap((action) =>
      SCOPES.map(([where, scope, inScope]) => {
        // directory.manage is global: a grant on one app and environment never allows it.
        const expected = inScope && ALLOWED[role].includes(action) && action !== 'directory.manage';
        return { role, action, where, scope, expected };
      }),
    ),
  );

  it('covers the whole table', () => {
    expect(cases).toHaveLength(6 * 11 * 3);
  });

  it.each(cases)('$role on hello-web/staging: $action in $where → $expected', ({ role, action, scope, expected }) => {
    expect(can(only(role), 'pat@example.com', action, scope)).toBe(expected);
  });

  it('matches the published ROLE_ACTIONS table', () => {
    for (const role of ROLES) expect([...ROLE_ACTIONS[role]].sort()).toEqual([...ALLOWED[role]].sort());
  });
});

describe('can: separation of duties', () => {
  it('does not let an image approver of staging decide for prod', () => {
    expect(can(only('image-approver'), 'pat@example.com', 'approval.decide-image', { app: 'hello-web', environment: 'prod' })).toBe(false);
  });

  it('does not let a config approver decide on images, nor the reverse', () => {
    expect(can(only('config-approver'), 'pat@example.com', 'approval.decide-image', granted)).toBe(false);
    expect(can(only('image-approver'), 'pat@example.com', 'approval.decide-config', granted)).toBe(false);
  });

  it('does not let a viewer do anything that writes', () => {
    for (const action of WRITES) expect(can(only('viewer'), 'pat@example.com', action, granted), action).toBe(false);
  });

  it('does not let an admin deploy or approve', () => {
    const admin: Directory = { groups: {}, grants: [{ id: 'a', subject: { user: 'root@example.com' }, role: 'admin', app: '*', environment: '*' }] };
    for (const action of ['release.start', 'approval.decide-image', 'approval.decide-config', 'break-glass', 'review.close'] as const) {
      expect(can(admin, 'root@example.com', action, granted), action).toBe(false);
    }
    expect(can(admin, 'root@example.com', 'directory.manage', granted)).toBe(true);
  });
});

describe('wildcards, groups and identities', () => {
  const directory: Directory = {
    groups: {
      'release-managers': ['Alice@Example.com', 'bob@example.com'],
      security: ['bob@example.com', 'sam@example.com'],
      pipelines: ['ci:hello-web-pipeline'],
    },
    grants: [
      { id: 'g-admin', subject: { user: 'root@example.com' }, role: 'admin', app: '*', environment: '*' },
      { id: 'g-app-admin', subject: { user: 'owner@example.com' }, role: 'admin', app: 'hello-web', environment: '*' },
      { id: 'g-rm', subject: { group: 'release-managers' }, role: 'image-approver', app: 'hello-web', environment: 'prod' },
      { id: 'g-sec', subject: { group: 'security' }, role: 'image-approver', app: '*', environment: 'prod' },
      { id: 'g-ci', subject: { group: 'pipelines' }, role: 'deployer', app: 'hello-web', environment: '*' },
      { id: 'g-dave', subject: { user: 'Dave@Example.com' }, role: 'config-approver', app: 'hello-web', environment: 'prod' },
      { id: 'g-ghost', subject: { group: 'no-such-group' }, role: 'viewer', app: '*', environment: '*' },
    ],
  };
  const prod = { app: 'hello-web', environment: 'prod' };

  it("lets a '*' grant cover every app and environment", () => {
    expect(can(directory, 'sam@example.com', 'approval.decide-image', { app: 'other-app', environment: 'prod' })).toBe(true);
    expect(can(directory, 'sam@example.com', 'approval.decide-image', { app: 'other-app', environment: 'staging' })).toBe(false);
    expect(can(directory, 'ci:hello-web-pipeline', 'release.start', { app: 'hello-web', environment: 'anything' })).toBe(true);
    expect(can(directory, 'ci:hello-web-pipeline', 'release.start', { app: 'other-app', environment: 'staging' })).toBe(false);
  });

  it("reads environment '*' in a scope as 'somewhere in this app', and app '*' as 'every app'", () => {
    expect(can(directory, 'alice@example.com', 'approval.decide-image', { app: 'hello-web', environment: '*' })).toBe(true);
    expect(can(directory, 'alice@example.com', 'release.view', { app: 'other-app', environment: '*' })).toBe(false);
    expect(can(directory, 'alice@example.com', 'release.view', { app: '*', environment: '*' })).toBe(false);
    expect(can(directory, 'root@example.com', 'app.manage', { app: '*', environment: '*' })).toBe(true);
    expect(can(directory, 'owner@example.com', 'app.manage', { app: '*', environment: '*' })).toBe(false);
  });

  it('allows directory.manage only on a grant for every app and environment', () => {
    expect(can(directory, 'root@example.com', 'directory.manage', { app: '*', environment: '*' })).toBe(true);
    expect(can(directory, 'owner@example.com', 'app.manage', prod)).toBe(true);
    expect(can(directory, 'owner@example.com', 'directory.manage', prod)).toBe(false);
    expect(can(directory, 'owner@example.com', 'directory.manage', { app: 'hello-web', environment: '*' })).toBe(false);
  });

  it('grants roles through groups', () => {
    expect(rolesOf(directory, 'bob@example.com', prod)).toEqual(['image-approver']);
    expect(rolesOf(directory, 'ci:hello-web-pipeline', granted)).toEqual(['deployer']);
    expect(rolesOf(directory, 'alice@example.com', { app: 'hello-web', environment: 'staging' })).toEqual([]);
    expect(rolesOf(directory, 'nobody@example.com', prod)).toEqual([]);
  });

  it('compares emails case-insensitively', () => {
    expect(groupsOf(directory, 'ALICE@example.com')).toEqual(['release-managers']);
    expect(groupsOf(directory, 'bob@example.com')).toEqual(['release-managers', 'security']);
    expect(can(directory, 'alice@EXAMPLE.com', 'approval.decide-image', prod)).toBe(true);
    expect(can(directory, 'dave@example.com', 'approval.decide-config', prod)).toBe(true);
    expect(rolesOf(directory, 'Root@Example.COM', prod)).toEqual(['admin']);
  });

  it('lists members with a role, groups expanded, sorted, unique and lowercase', () => {
    expect(membersWithRole(directory, 'image-approver', prod)).toEqual(['alice@example.com', 'bob@example.com', 'sam@example.com']);
    expect(membersWithRole(directory, 'image-approver', { app: 'other-app', environment: 'prod' })).toEqual(['bob@example.com', 'sam@example.com']);
    expect(membersWithRole(directory, 'config-approver', prod)).toEqual(['dave@example.com']);
    expect(membersWithRole(directory, 'deployer', { app: 'hello-web', environment: 'staging' })).toEqual(['ci:hello-web-pipeline']);
    expect(membersWithRole(directory, 'image-approver', { app: 'hello-web', environment: 'staging' })).toEqual([]);
    // A grant to a group that does not exist gives no one anything.
    expect(membersWithRole(directory, 'viewer', prod)).toEqual([]);
  });
});
