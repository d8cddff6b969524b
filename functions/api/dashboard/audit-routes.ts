import { Hono } from 'hono';
import { can } from '../../domain/authorization';
import { ValidationError } from '../../domain/errors';
import { auditPage, exportAudit, verifyAudit, type AuditFilters } from '../../usecases/audit-trail';
import { AuditPage } from '../../views/dashboard/audit/audit-page';
import { VerifyPage } from '../../views/dashboard/audit/verify-page';
import type { ApiDeps } from '../deps';
import type { DashboardEnv } from './env';
import { dashboardErrors, renderPage } from './render';

const PAGE = 50;
const FILTER_FIELDS = ['environment', 'actor', 'from', 'to'] as const;

/** A `datetime-local` value ("2026-12-02T12:00") is a UTC instant here; anything else goes to the use case as given. */
export const instantOf = (value: string | undefined): string | undefined =>
  value && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value.length === 16 ? `${value}:00` : value}Z` : value || undefined;

/** Which form field a refused filter is about ("from must be an ISO date-time" → from). */
const fieldOf = (message: string): string => /^(environment|actor|from|to)\b/.exec(message)?.[1] ?? 'form';

/**
 * Issue 11, page 6: the audit trail in the dashboard, through the same use
 * cases as `GET /v1/audit`, `/v1/audit/verify` and `/v1/audit/export`
 * (usecases/audit-trail) with the session's identity: an app's trail needs
 * `release.view` on it, the directory's (`*`) an admin.
 */
export function dashboardAuditRoutes(deps: ApiDeps) {
  const routes = new Hono<DashboardEnv>();
  routes.onError(dashboardErrors(deps));

  routes.get('/audit', async (c) => {
    const { identity, csrfToken } = c.get('session');
    const [apps, directory] = await Promise.all([deps.catalog.listApps(), deps.directory.get()]);
    const readable = apps.filter((a) => can(directory, identity, 'release.view', { app: a.name, environment: '*' })).map((a) => a.name);
    if (can(directory, identity, 'directory.manage', { app: '*', environment: '*' })) readable.push('*');
    const app = c.req.query('app') || readable[0];
    const filters: AuditFilters = Object.fromEntries(FILTER_FIELDS.map((key) => [key, c.req.query(key) || undefined]).filter(([, v]) => v !== undefined));
    if (filters.from) filters.from = instantOf(filters.from);
    if (filters.to) filters.to = instantOf(filters.to);
    const cursor = c.req.query('cursor') || undefined;
    const limit = c.req.query('limit') ? Number(c.req.query('limit')) : PAGE;
    const props = { apps: readable, app, filters, limit: limit === PAGE ? undefined : limit, events: [], errors: {}, identity, csrfToken };
    if (!app) return renderPage(c, AuditPage(props));
    try {
      const page = await auditPage(deps, identity, app, { ...filters, ...(cursor ? { cursor } : {}) }, limit);
      return renderPage(c, AuditPage({ ...props, events: page.events, next: page.cursor }));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // A refused filter is shown by its field, with the form kept as typed.
      return renderPage(c, AuditPage({ ...props, errors: { [fieldOf(error.message)]: error.message } }), 400);
    }
  });

  /** A GET: verifying changes nothing. */
  routes.get('/audit/verify', async (c) => {
    const { identity, csrfToken } = c.get('session');
    const app = c.req.query('app');
    const result = await verifyAudit(deps, identity, app);
    return renderPage(c, VerifyPage({ app: app ?? '', result, identity, csrfToken }));
  });

  /** The auditors' files, as `GET /v1/audit/export` answers them, with the session's authorization. */
  routes.get('/audit/export', async (c) => {
    const file = await exportAudit(deps, c.get('session').identity, c.req.query('app'), c.req.query('format'));
    return c.body(file.body, 200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'x-audit-head': `${file.head.seq} ${file.head.hash}`,
      'cache-control': 'no-store',
    });
  });

  return routes;
}
