import { Hono } from 'hono';
import * as z from 'zod/mini';
import { ROLES, type Grant } from '../../domain/authorization';
import type { ApiDeps, ApiEnv } from '../deps';
import { addGrant, authorizeDirectoryAdmin, directoryView, revokeGrant, setGroupMembers } from '../../usecases/directory-admin';
import { isName, isNameOrWildcard, NAME_RULE } from '../../domain/names';
import { grantIdParam, nameParam } from '../params';
import { readJson } from '../read-json';
import { identitySchema } from '../schemas';

const name = z.string().check(z.refine(isName, NAME_RULE));
const member = identitySchema;
const scopeName = z.string().check(z.refine(isNameOrWildcard, `${NAME_RULE}; or * for all`));
export const groupSchema = z.strictObject({ members: z.array(member).check(z.maxLength(500)) });
export const grantSchema = z.strictObject({
  // One object with optional fields rather than a union, so a bad group name is reported as such (a union only says "invalid input").
  subject: z
    .strictObject({ user: z.optional(member), group: z.optional(name) })
    .check(z.refine((s) => (s.user === undefined) !== (s.group === undefined), 'give exactly one of user or group')),
  role: z.enum(ROLES as [Grant['role'], ...Grant['role'][]]),
  app: scopeName,
  environment: scopeName,
});

/** Groups and grants (admin only): the use cases the dashboard runs too. Every change is versioned and audited. */
export function directoryRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();
  // Admin first, before any body is read (README: groups, grants and tokens check admin first).
  routes.use('*', async (c, next) => {
    await authorizeDirectoryAdmin(deps, c.get('identity'));
    await next();
  });

  routes.get('/groups', async (c) => c.json({ groups: (await directoryView(deps, c.get('identity'))).groups }));

  routes.put('/groups/:name', async (c) => {
    const group = nameParam(c, 'name', 'the group name in the path');
    const { members } = await readJson(c, groupSchema);
    return c.json({ group, members: await setGroupMembers(deps, c.get('identity'), group, members) });
  });

  routes.get('/grants', async (c) => c.json({ grants: (await directoryView(deps, c.get('identity'))).grants }));

  routes.post('/grants', async (c) => {
    const body = await readJson(c, grantSchema);
    const { user, group } = body.subject;
    const subject = user !== undefined ? { user } : { group: group ?? '' };
    return c.json(await addGrant(deps, c.get('identity'), { role: body.role, app: body.app, environment: body.environment, subject }), 201);
  });

  routes.delete('/grants/:id', async (c) => c.json({ revoked: await revokeGrant(deps, c.get('identity'), grantIdParam(c)) }));

  return routes;
}
