import { Hono } from 'hono';
import { StoreUnavailableError } from '../../domain/errors';
import type { ApiDeps, ApiEnv } from '../deps';

/**
 * Liveness (`/healthz`: the process answers; no dependency, so a DynamoDB
 * outage never gets healthy instances restarted) and readiness (`/readyz`:
 * the table answers one consistent GetItem of the directory, the read every
 * request makes first).
 */
export function healthRoutes(deps: Pick<ApiDeps, 'directory'>) {
  const routes = new Hono<ApiEnv>();

  routes.get('/healthz', (c) => c.json({ status: 'ok' }));

  routes.get('/readyz', async (c) => {
    try {
      await deps.directory.get();
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      // Not transient for the SDK (a missing table, denied access), but for a probe still "not ready", and never a 500.
      const name = error instanceof Error ? error.name : 'unknown error';
      throw new StoreUnavailableError(`the table could not be read (${name})`, { cause: error });
    }
    c.header('cache-control', 'no-store');
    return c.json({ status: 'ready' });
  });

  return routes;
}
