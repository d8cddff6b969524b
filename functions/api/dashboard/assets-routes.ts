import { Hono } from 'hono';
import { NotFoundError } from '../../domain/errors';
import { preview } from '../../domain/names';
import { ASSETS } from '../../views/dashboard/assets';
import type { ApiDeps } from '../deps';
import { respondWithProblem } from '../problem';

const YEAR = 365 * 24 * 3600;

/**
 * `GET /assets/:file`: the dashboard's few same-origin scripts, public (no
 * session: they hold nothing personal). Only the files in ASSETS exist; each
 * has its content hash as ETag, and pages ask for it with `?v=<hash>`, so it
 * may be cached for a year.
 */
export function assetsRoutes(deps: ApiDeps) {
  const routes = new Hono();
  routes.onError((error, c) => respondWithProblem(c, error, deps.log));
  routes.get('/assets/:file', (c) => {
    const name = c.req.param('file');
    const asset = ASSETS.get(name);
    if (!asset) throw new NotFoundError(`there is no asset ${preview(name)}`);
    const etag = `"${asset.hash}"`;
    const headers = { etag, 'cache-control': `public, max-age=${YEAR}, immutable` };
    if (c.req.header('if-none-match')?.split(/\s*,\s*/).includes(etag)) return c.body(null, 304, headers);
    return c.body(asset.body, 200, { ...headers, 'content-type': asset.contentType });
  });
  return routes;
}
