import { createHash } from 'node:crypto';
import { METRICS_CHARTS_ASSET } from './charts';
import { RELEASE_LIVE_JS } from './release-live';

/** A same-origin file the dashboard's pages load: its bytes, type and a content hash (the ETag and the cache-busting query). */
export interface Asset {
  body: string;
  contentType: string;
  /** SHA-256 of the body, base64url. */
  hash: string;
}

const asset = (body: string, contentType: string): Asset => ({ body, contentType, hash: createHash('sha256').update(body, 'utf8').digest('base64url') });

/** Every file `GET /assets/:file` serves, by name; nothing else is served. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ['release-live.js', asset(RELEASE_LIVE_JS, 'text/javascript; charset=utf-8')],
  [METRICS_CHARTS_ASSET.name, asset(METRICS_CHARTS_ASSET.body, 'text/javascript; charset=utf-8')],
]);

/**
 * The URL a page uses for an asset: the name with its content hash as `?v=`,
 * so the year-long cache can never serve an old script after a deploy.
 */
export function assetPath(name: string): string {
  const found = ASSETS.get(name);
  if (!found) throw new Error(`no asset named ${name}`);
  return `/assets/${name}?v=${found.hash.slice(0, 16)}`;
}
