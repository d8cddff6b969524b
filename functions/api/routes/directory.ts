import { Hono } from 'hono';
import * as z from 'zod/mini';
import { ROLES, type Directory, type Grant } from '../../domain/authorization';
import { auditEvent, type AuditEvent } from '../../domain/audit';
import { NotFoundError } from '../../domain/errors';
import type { ApiDeps, ApiEnv } from '../deps';
import { authorize } from '../../usecases/permissions';
import { isName, isNameOrWildcard, NAME_RULE } from '../../domain/names';
import { grantIdParam, nameParam } from '../params';
import { readJson } from '../read-json';
import { identitySchema } from '../schemas';

const name = z.string().check(z.refine(isName, NAME_RULE));
const member = identitySchema;
const scopeName = z.string().check(z.refine(isNameOrWildcard, `${NAME_RULE}; or * for all`));
const groupSchema = z.strictObject({ members: z.array(member).check(z.maxLength(500)) });
const grantSchema = z.strictObject({
  // One object with optional fields rather than a union, so a bad group name is reported as such (a union only says "invalid input").
  subject: z
    .strictObject({ user: z.optional(member), group: z.optional(name) })
    .check(z.refine((s) => (s.user === undefined) !== (s.group === undefined), 'give exactly one of user or group')),
  role: z.enum(ROLES as [Grant['role'], ...Grant['role'][]]),
  app: scopeName,
  environment: scopeName,
});

const EVERYWHERE = { app: '*', environment: '*' };

/** Groups and grants (admin only). Every change is versioned and audited. */
export function directoryRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();
  routes.use('*', async (c, next) => {
    await authorize(deps.directory, c.get('identity'), 'directory.manage', EVERYWHERE);
    await next();
  });

  /** Applies a change to the current directory, conditional on its version. */
  const change = async (actor: string, subject: string, detail: Record<string, unknown>, apply: (current: Directory) => Directory) => {
    const current = await deps.directory.get();
    const audit: AuditEvent = auditEvent(deps, { app: '*', actor, action: 'directory.changed', subject, detail });
    return deps.directory.save(apply(current), current.version, audit);
  };

  routes.get('/groups', async (c) => c.json({ groups: (await deps.directory.get()).groups }));

  routes.put('/groups/:name', async (c) => {
    const group = nameParam(c, 'name', 'the group name in the path');
    const { members } = await readJson(c, groupSchema);
    const normalised = [...new Set(members.map((m) => m.toLowerCase()))].sort();
    await change(c.get('identity'), `group/${group}`, { members: normalised }, (d) => ({ ...d, groups: { ...d.groups, [group]: normalised } }));
    return c.json({ group, members: normalised });
  });

  routes.get('/grants', async (c) => c.json({ grants: (await deps.directory.get()).grants }));

  routes.post('/grants', async (c) => {
    const body = await readJson(c, grantSchema);
    const { user, group } = body.subject;
    const subject = user !== undefined ? { user: user.toLowerCase() } : { group: group ?? '' };
    const grant: Grant = { id: `grant_${deps.newId().slice(0, 8)}`, role: body.role, app: body.app, environment: body.environment, subject };
    await change(c.get('identity'), `grant/${grant.id}`, { grant }, (d) => ({ ...d, grants: [...d.grants, grant] }));
    return c.json(grant, 201);
  });

  routes.delete('/grants/:id', async (c) => {
    const id = grantIdParam(c);
    const current = await deps.directory.get();
    const grant = current.grants.find((g) => g.id === id);
    if (!grant) throw new NotFoundError(`no grant ${id}`);
    await change(c.get('identity'), `grant/${id}`, { revoked: grant }, (d) => ({ ...d, grants: d.grants.filter((g) => g.id !== id) }));
    return c.json({ revoked: grant });
  });

  return routes;
}

