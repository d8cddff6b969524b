import { Hono, type Context } from 'hono';
import { verifyChain } from '../../domain/audit-chain';
import { toCsv, toJsonLines } from '../../domain/audit-export';
import { ValidationError } from '../../domain/errors';
import { isName, isNameOrWildcard } from '../../domain/names';
import { isSafeText } from '../../domain/text';
import type { ApiDeps, ApiEnv } from '../deps';
import { authorize } from '../../usecases/permissions';

/** B3: the hash-chained audit trail per app: browse, verify, export for auditors. */
export function auditRoutes(deps: ApiDeps) {
  const routes = new Hono<ApiEnv>();

  /** The app named in the query, which the caller must be allowed to view. App `*` holds directory and token changes: admins only. */
  const appOf = async (c: Context<ApiEnv>): Promise<string> => {
    const app = c.req.query('app');
    if (!isNameOrWildcard(app)) throw new ValidationError('pass app=<app name> (or app=* for directory and token changes)');
    const action = app === '*' ? 'directory.manage' : 'release.view';
    await authorize(deps.directory, c.get('identity'), action, app === '*' ? { app: '*', environment: '*' } : { app, environment: '*' });
    return app;
  };

  routes.get('/', async (c) => {
    const app = await appOf(c);
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError('limit must be a whole number from 1 to 1000');
    const query = { limit, ...pick(c, ['environment', 'actor', 'from', 'to', 'cursor']) };
    if (query.environment !== undefined && !isName(query.environment)) throw new ValidationError('environment must be an environment name');
    if (query.actor !== undefined && (query.actor.length > 254 || !isSafeText({ multiline: false })(query.actor))) throw new ValidationError('actor must be an identity (an email or ci:<name>)');
    for (const key of ['from', 'to'] as const) {
      if (query[key] && Number.isNaN(Date.parse(query[key]))) throw new ValidationError(`${key} must be an ISO date-time`);
    }
    return c.json(await deps.auditTrail.page(app, query));
  });

  /** Refusals by identities with no standing on any app (kept out of the apps' chains; see README "Security"): admins only. */
  routes.get('/security', async (c) => {
    await authorize(deps.directory, c.get('identity'), 'directory.manage', { app: '*', environment: '*' });
    const day = c.req.query('day') ?? deps.clock().toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw new ValidationError('day must be a UTC date, YYYY-MM-DD');
    return c.json({ day, events: await deps.securityLog.day(day, 1000) });
  });

  routes.get('/verify', async (c) => {
    const app = await appOf(c);
    const started = performance.now();
    const [events, head] = await Promise.all([deps.auditTrail.all(app), deps.auditTrail.head(app)]);
    const result = verifyChain(events, { expectedHead: head });
    deps.log.info('audit verified', { app, ok: result.ok, events: events.length, ms: Math.round(performance.now() - started) });
    return c.json(result.ok ? { ok: true, events: result.events, head } : { ok: false, events: result.events, head, firstBreak: result.firstBreak });
  });

  routes.get('/export', async (c) => {
    const app = await appOf(c);
    const format = c.req.query('format') ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new ValidationError('format must be jsonl or csv');
    const [events, head] = await Promise.all([deps.auditTrail.all(app), deps.auditTrail.head(app)]);
    const file = `gatekeeper-audit-${app === '*' ? 'directory' : app}-${head.seq}.${format}`;
    const body = format === 'jsonl' ? toJsonLines(app, events, head, deps.clock().toISOString()) : toCsv(events, head);
    return c.body(body, 200, {
      'content-type': format === 'jsonl' ? 'application/x-ndjson' : 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file}"`,
      'x-audit-head': `${head.seq} ${head.hash}`,
    });
  });

  return routes;
}

function pick<K extends string>(c: Context, keys: K[]): Partial<Record<K, string>> {
  return Object.fromEntries(keys.flatMap((k) => (c.req.query(k) ? [[k, c.req.query(k)]] : []))) as Partial<Record<K, string>>;
}
