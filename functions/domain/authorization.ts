/**
 * Who may do what: roles granted to people, CI identities or groups, scoped to
 * an app and environment. Roles keep duties apart: whoever administers
 * Gatekeeper does not thereby deploy or approve, and approvers of one kind
 * (image, configuration) cannot decide for the other.
 */

export type Role = 'admin' | 'deployer' | 'image-approver' | 'config-approver' | 'viewer' | 'break-glass';

export const ROLES: readonly Role[] = Object.freeze(['admin', 'deployer', 'image-approver', 'config-approver', 'viewer', 'break-glass']);

/** `user` is a lowercase email, or `ci:<name>` for a service identity. */
export type Subject = { user: string } | { group: string };

export interface Grant {
  id: string;
  subject: Subject;
  role: Role;
  /** App name, or '*' for every app. */
  app: string;
  /** Environment name, or '*' for every environment of the app(s). */
  environment: string;
}

export interface Directory {
  /** Group name → member ids (emails, `ci:` names). */
  groups: Record<string, string[]>;
  grants: Grant[];
}

export type Action =
  /** Read apps, environments, policies. */
  | 'app.view'
  /** Change apps, environments, policies. */
  | 'app.manage'
  | 'release.start'
  | 'release.view'
  | 'release.cancel-own'
  | 'release.rollback'
  | 'approval.decide-image'
  | 'approval.decide-config'
  /** Close the post-hoc review of a break-glass deployment. */
  | 'review.close'
  | 'break-glass'
  /** Groups, grants, and other people's tokens. */
  | 'directory.manage';

export const ACTIONS: readonly Action[] = Object.freeze([
  'app.view',
  'app.manage',
  'release.start',
  'release.view',
  'release.cancel-own',
  'release.rollback',
  'approval.decide-image',
  'approval.decide-config',
  'review.close',
  'break-glass',
  'directory.manage',
]);

/**
 * What each role allows. Admins manage but neither deploy nor approve;
 * break-glass allows nothing on its own but the emergency bypass, and starting
 * a release that way still needs the deployer role too (the caller checks both).
 */
export const ROLE_ACTIONS: Readonly<Record<Role, readonly Action[]>> = Object.freeze({
  admin: Object.freeze(['app.view', 'app.manage', 'directory.manage', 'release.view'] as const),
  deployer: Object.freeze(['app.view', 'release.start', 'release.view', 'release.cancel-own', 'release.rollback'] as const),
  'image-approver': Object.freeze(['app.view', 'release.view', 'approval.decide-image', 'review.close'] as const),
  'config-approver': Object.freeze(['app.view', 'release.view', 'approval.decide-config', 'review.close'] as const),
  viewer: Object.freeze(['app.view', 'release.view'] as const),
  'break-glass': Object.freeze(['break-glass'] as const),
});

/**
 * Actions whose effect is not confined to one app: the directory is shared,
 * so an admin of one app who could edit it could grant themselves anything.
 * They need a grant on every app and every environment ('*' / '*'), whatever
 * scope is asked about.
 */
export const GLOBAL_ACTIONS: readonly Action[] = Object.freeze(['directory.manage']);

/**
 * What a check is about. '*' as environment asks "in some environment of this
 * app" (any grant on the app matches); '*' as app asks about every app, so only
 * grants on app '*' match it.
 */
export interface Scope {
  app: string;
  environment: string;
}

/** Emails are case-insensitive; ids are stored and compared lowercase. */
const normalise = (id: string) => id.trim().toLowerCase();

/** The groups `member` belongs to, sorted. */
/** A group's members; names come from users, so never read inherited keys (`constructor`, `__proto__`). */
export function membersOf(directory: Directory, group: string): string[] {
  return Object.hasOwn(directory.groups, group) ? (directory.groups[group] ?? []) : [];
}

export function groupsOf(directory: Directory, member: string): string[] {
  const id = normalise(member);
  return Object.entries(directory.groups)
    .filter(([, members]) => members.some((m) => normalise(m) === id))
    .map(([group]) => group)
    .sort();
}

/** The roles `member` holds in `scope`, directly or through a group, in ROLES order. */
export function rolesOf(directory: Directory, member: string, scope: Scope): Role[] {
  return distinctRoles(grantsHeldBy(directory, member).filter((grant) => covers(grant, scope)));
}

export function can(directory: Directory, member: string, action: Action, scope: Scope): boolean {
  const held = grantsHeldBy(directory, member);
  const relevant = GLOBAL_ACTIONS.includes(action) ? held.filter((g) => g.app === '*' && g.environment === '*') : held.filter((g) => covers(g, scope));
  return distinctRoles(relevant).some((role) => ROLE_ACTIONS[role].includes(action));
}

/** Everyone holding `role` in `scope`, groups expanded: sorted, unique, lowercase. Used to find eligible approvers. */
export function membersWithRole(directory: Directory, role: Role, scope: Scope): string[] {
  const members = new Set<string>();
  for (const grant of directory.grants) {
    if (grant.role !== role || !covers(grant, scope)) continue;
    const ids = 'user' in grant.subject ? [grant.subject.user] : membersOf(directory, grant.subject.group);
    for (const id of ids) members.add(normalise(id));
  }
  return [...members].sort();
}

function grantsHeldBy(directory: Directory, member: string): Grant[] {
  const id = normalise(member);
  const groups = new Set(groupsOf(directory, id));
  return directory.grants.filter((grant) => ('user' in grant.subject ? normalise(grant.subject.user) === id : groups.has(grant.subject.group)));
}

function covers(grant: Grant, scope: Scope): boolean {
  const app = grant.app === '*' || grant.app === scope.app;
  const environment = grant.environment === '*' || scope.environment === '*' || grant.environment === scope.environment;
  return app && environment;
}

function distinctRoles(grants: Grant[]): Role[] {
  const held = new Set(grants.map((g) => g.role));
  return ROLES.filter((role) => held.has(role));
}
