import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
// esbuild bundles this file's text (cdk/lambda-bundles.ts: loader '.iife.min.js': 'text'); see uplotText below.
import * as uplotModule from 'uplot/dist/uPlot.iife.min.js';
import { METRICS_CHARTS_INIT_JS } from './metrics-charts-init';

/**
 * `metrics-charts.js`: uPlot (a small, well-kept charting library, MIT) and
 * the Metrics page's drawing code, served same-origin from `/assets/`.
 *
 * How uPlot's text gets here: in the Lambda bundle, esbuild's `text` loader
 * for `.iife.min.js` files (cdk/lambda-bundles.ts) makes the import above the
 * file's text, so the bundle carries it and reads nothing at run time.
 * Running from source (tsx for `npm start`, Vitest) Node imports the file as
 * a script instead (its default export is not a string), and the text is
 * read from node_modules, which is there in both cases.
 */
function uplotText(): string {
  const bundled: unknown = (uplotModule as { default?: unknown }).default;
  if (typeof bundled === 'string') return bundled;
  return readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
}

const body = `${uplotText()}\n${METRICS_CHARTS_INIT_JS}`;

/** The asset to register in the dashboard's registry (`GET /assets/metrics-charts.js`). */
export const METRICS_CHARTS_ASSET = { name: 'metrics-charts.js', body } as const;

/**
 * The page's script URL, with the first 16 characters of the body's SHA-256
 * (base64url) as `?v=`, the same cache-busting form as assetPath().
 */
export const METRICS_CHARTS_SRC = `/assets/${METRICS_CHARTS_ASSET.name}?v=${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 16)}`;
