import { auditEvent } from '../domain/audit';
import type { Directory, Grant } from '../domain/authorization';
import { NotFoundError } from '../domain/errors';
import type { VersionedDirectory } from '../domain/ports';
import type { UseCaseDeps } from './deps';
import { authorize } from './permissions';

/**
 * Groups and grants: the one code path behind `/v1/directory/*` and the
 * dashboard's Admin page. Admins of everything (`*`/`*`) only; every change
 * is applied to the directory as read, conditional on its version, and
 * audited in the directory's chain (app `*`).
 */

const EVERYWHERE = { app: '*', environment: '*' };

type Deps = Pick<UseCaseDeps, 'directory' | 'clock' | 'newId'>;

/** Refuses (403) anyone who may not manage groups, grants and tokens; returns the directory it judged by. */
export const authorizeDirectoryAdmin = (deps: Pick<UseCaseDeps, 'directory'>, identity: string): Promise<Directory> =>
  authorize(deps.directory, identity, 'directory.manage', EVERYWHERE);

async function change(deps: Deps, actor: string, subject: string, detail: Record<string, unknown>, apply: (current: VersionedDirectory) => Directory): Promise<VersionedDirectory> {
  await authorizeDirectoryAdmin(deps, actor);
  const current = await deps.directory.get();
  const audit = auditEvent(deps, { app: '*', actor, action: 'directory.changed', subject, detail });
  return deps.directory.save(apply(current), current.version, audit);
}

/** The groups and grants as they are now. */
export async function directoryView(deps: Pick<UseCaseDeps, 'directory'>, identity: string): Promise<VersionedDirectory> {
  await authorizeDirectoryAdmin(deps, identity);
  return deps.directory.get();
}

/** Replaces a group's members (lowercase, unique, sorted); an empty list keeps the group, empty. */
export async function setGroupMembers(deps: Deps, actor: string, group: string, members: readonly string[]): Promise<string[]> {
  const normalised = [...new Set(members.map((m) => m.trim().toLowerCase()))].sort();
  await change(deps, actor, `group/${group}`, { members: normalised }, (d) => ({ ...d, groups: { ...d.groups, [group]: normalised } }));
  return normalised;
}

export type GrantInput = Omit<Grant, 'id'>;

/** Adds a role grant to a user (lowercased) or a group. */
export async function addGrant(deps: Deps, actor: string, input: GrantInput): Promise<Grant> {
  const subject = 'user' in input.subject ? { user: input.subject.user.toLowerCase() } : { group: input.subject.group };
  const grant: Grant = { id: `grant_${deps.newId().slice(0, 8)}`, role: input.role, app: input.app, environment: input.environment, subject };
  await change(deps, actor, `grant/${grant.id}`, { grant }, (d) => ({ ...d, grants: [...d.grants, grant] }));
  return grant;
}

/** Removes a grant by id (404 when there is none). */
export async function revokeGrant(deps: Deps, actor: string, id: string): Promise<Grant> {
  const current = await directoryView(deps, actor);
  const grant = current.grants.find((g) => g.id === id);
  if (!grant) throw new NotFoundError(`no grant ${id}`);
  await change(deps, actor, `grant/${id}`, { revoked: grant }, (d) => ({ ...d, grants: d.grants.filter((g) => g.id !== id) }));
  return grant;
}
