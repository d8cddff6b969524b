import { Hono, type Context } from 'hono';
import { docsPage } from './docs-page';
import { openApiDocument } from './document';

/** Public and the same for everyone: caches may keep it a while (a deploy changes the ETag). */
const CACHE = 'public, max-age=300';

let page: string | undefined;

function cached(c: Context, etag: string, respond: () => Response): Response {
  c.header('cache-control', CACHE);
  c.header('etag', etag);
  if (c.req.header('if-none-match')?.split(/\s*,\s*/).includes(etag)) return c.body(null, 304);
  return respond();
}

/**
 * `GET /openapi.json`, the OpenAPI 3.1 document generated from the routes'
 * schemas (openapi/routes.ts), and `GET /docs`, the same rendered as a page.
 * Public: mounted before the `/v1` token check. Both are built on first use.
 */
export function openApiRoutes(options: { maxBodyBytes: number }) {
  const routes = new Hono();

  routes.get('/openapi.json', (c) => {
    const built = openApiDocument(options.maxBodyBytes);
    return cached(c, built.etag, () => c.body(built.json, 200, { 'content-type': 'application/json; charset=utf-8' }));
  });

  routes.get('/docs', (c) => {
    const built = openApiDocument(options.maxBodyBytes);
    return cached(c, `${built.etag.slice(0, -1)}-html"`, () => c.html((page ??= docsPage(built.document))));
  });

  return routes;
}
