import { Hono, type Context } from 'hono';
import { ValidationError } from '../../domain/errors';
import type { ApiDeps, ApiEnv } from '../deps';
import { auditPage, exportAudit, verifyAudit, type AuditFilters } from '../../usecases/audit-trail';
import { authorize } from '../../usecases/permissions';

/** B3: the hash-chained audit trail per app: browse, verify, export for auditors (the use cases the dashboard runs too). */
export function auditRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  routes.get('/', async (c) => {
    const filters = pick(c, ['environment', 'actor', 'from', 'to', 'cursor']);
    return c.json(await auditPage(deps, c.get('identity'), c.req.query('app'), filters, Number(c.req.query('limit') ?? 100)).then(({ app: _app, ...page }) => page));
  });

  /** Refusals by identities with no standing on any app (kept out of the apps' chains; see README "Security"): admins only. */
  routes.get('/security', async (c) => {
    await authorize(deps.directory, c.get('identity'), 'directory.manage', { app: '*', environment: '*' });
    const day = c.req.query('day') ?? deps.clock().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw new ValidationError('day must be a UTC date, YYYY-MM-DD');
    return c.json({ day, events: await deps.securityLog.day(day, 1000) });
  });

  routes.get('/verify', async (c) => {
    const full = c.req.query('full');
    if (full !== undefined && full !== 'true' && full !== 'false') throw new ValidationError('full must be true or false');
    return c.json(await verifyAudit(deps, c.get('identity'), c.req.query('app'), { full: full === 'true' }));
  });

  routes.get('/export', async (c) => {
    const file = await exportAudit(deps, c.get('identity'), c.req.query('app'), c.req.query('format'));
    return c.body(file.body, 200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'x-audit-head': `${file.head.seq} ${file.head.hash}`,
    });
  });

  return routes;
}

function pick(c: Context, keys: Array<keyof AuditFilters>): AuditFilters {
  return Object.fromEntries(keys.flatMap((k) => (c.req.query(k) ? [[k, c.req.query(k)]] : [])));
}
