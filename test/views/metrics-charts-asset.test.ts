import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../cdk/lambda-bundles';
import type * as charts from '../../functions/views/dashboard/assets/charts';
import { METRICS_CHARTS_ASSET, METRICS_CHARTS_SRC } from '../../functions/views/dashboard/assets/charts';
import { METRICS_CHARTS_INIT_JS } from '../../functions/views/dashboard/assets/metrics-charts-init';

const ENTRY = 'functions/views/dashboard/assets/charts.ts';

describe('metrics-charts.js', () => {
  it('is uPlot and the drawing code, within the 50 KB gzipped budget', () => {
    expect(METRICS_CHARTS_ASSET.name).toBe('metrics-charts.js');
    expect(METRICS_CHARTS_ASSET.body).toMatch(/^\/\*! https:\/\/github\.com\/leeoniya\/uPlot \(v1\.\d+\.\d+\) \*\/\nvar uPlot=/);
    expect(METRICS_CHARTS_ASSET.body.endsWith(METRICS_CHARTS_INIT_JS)).toBe(true);
    expect(gzipSync(METRICS_CHARTS_ASSET.body).length).toBeLessThan(50 * 1024);
    expect(METRICS_CHARTS_SRC).toMatch(/^\/assets\/metrics-charts\.js\?v=[A-Za-z0-9_-]{16}$/);
  });

  it('is bundled by the Lambda esbuild configuration as text (no node_modules at run time), byte for byte the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'charts-bundle-'));
    try {
      // The options take an output directory (code splitting); the entry is written as index.mjs.
      const outfile = join(dir, 'index.mjs');
      const result = buildSync({ ...esbuildOptions(ENTRY, dir), logLevel: 'silent' });
      expect(Object.keys(result.metafile.inputs)).toContain('node_modules/uplot/dist/uPlot.iife.min.js');
      const bundle = await readFile(outfile, 'utf8');
      // The text is inlined: the bundle does not need to read uPlot's file.
      expect(bundle).toContain('leeoniya/uPlot');
      const bundled = (await import(pathToFileURL(outfile).href)) as typeof charts;
      expect(bundled.METRICS_CHARTS_ASSET.body).toBe(METRICS_CHARTS_ASSET.body);
      expect(bundled.METRICS_CHARTS_SRC).toBe(METRICS_CHARTS_SRC);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('draws each [data-chart] figure with uPlot from its JSON, and skips what it cannot read', () => {
    const drawn: Array<{ options: Record<string, unknown>; data: unknown; target: unknown }> = [];
    class FakePlot {
      static paths = { bars: () => 'bars-path' };
      constructor(options: Record<string, unknown>, data: unknown, target: unknown) {
        drawn.push({ options, data, target });
      }
      setSize() {}
    }
    const figure = (json: string) => {
      const attributes = new Map([['data-chart', json]]);
      const canvas = { clientWidth: 500 };
      return { canvas, attributes, getAttribute: (name: string) => attributes.get(name) ?? null, setAttribute: (name: string, value: string) => attributes.set(name, value), querySelector: () => canvas };
    };
    const good = figure(JSON.stringify({ label: 'successful deployments', unit: 'per day', kind: 'bars', minMax: 1, x: [1, 2], y: [0, 3] }));
    const broken = figure('{not json');
    const document = { querySelectorAll: () => [good, broken] };
    const window = { addEventListener: () => undefined };
    new Function('uPlot', 'document', 'window', METRICS_CHARTS_INIT_JS)(FakePlot, document, window);
    expect(drawn).toHaveLength(1);
    expect(drawn[0]?.data).toEqual([
      [1, 2],
      [0, 3],
    ]);
    expect(drawn[0]?.target).toBe(good.canvas);
    expect(drawn[0]?.options).toMatchObject({ width: 500, legend: { show: false }, axes: [{}, { label: 'per day' }] });
    expect((drawn[0]?.options.series as Array<Record<string, unknown>>)[1]).toMatchObject({ label: 'successful deployments', paths: 'bars-path' });
    expect(good.attributes.get('data-drawn')).toBe('true');
    expect(broken.attributes.has('data-drawn')).toBe(false);
  });
});
