import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { describeBundle, esbuildOptions, lambdaEntries, type LambdaName } from '../../cdk/lambda-bundles';

const outdir = mkdtempSync(path.join(tmpdir(), 'gatekeeper-bundle-sizes-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Every source module of the whole asset (every chunk, loaded at cold start or later), and its size. */
async function asset(name: LambdaName) {
  const dir = path.join(outdir, name);
  const { metafile } = await build(esbuildOptions(lambdaEntries[name], dir));
  const modules = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  return { assetKb: describeBundle(metafile, dir).assetKb, modules };
}

/** The Kubernetes client's runtime (its generated API classes, KubeConfig) and the fetch it brings. */
const HEAVY_CLIENT = /node_modules\/(?:@kubernetes\/client-node|undici)\//;
/** The checks and their wiring, which only run-checks needs. */
const CHECKS = /^functions\/(?:adapters\/checks\/|adapters\/kubernetes\/check-api\.ts$|runtime\/run-checks\.ts$)/;

// Issue 13: every function that talks to clusters speaks the Kubernetes REST API itself
// (functions/adapters/kubernetes/rest-client.ts); only the library's types are imported.
describe('Lambda bundles that talk to clusters without the Kubernetes client library', () => {
  it.each(['deploy', 'rollback'] as const)('%s is at most 1 MB, whole asset, and has no client-node or undici module', async (name) => {
    const { assetKb, modules } = await asset(name);
    expect(modules.filter((module) => HEAVY_CLIENT.test(module) || CHECKS.test(module))).toEqual([]);
    expect(modules).toContain('functions/adapters/kubernetes/rest-client.ts');
    expect(assetKb).toBeLessThanOrEqual(1024);
  }, 120_000);

  it.each(['reconcile', 'requestApproval'] as const)('%s has no client-node or undici module either', async (name) => {
    const { modules } = await asset(name);
    expect(modules.filter((module) => HEAVY_CLIENT.test(module) || CHECKS.test(module))).toEqual([]);
  }, 120_000);

  it('run-checks (jobs, pods, logs, secrets) is at most 1 MB too, on the same REST client', async () => {
    const { assetKb, modules } = await asset('runChecks');
    expect(modules.filter((module) => HEAVY_CLIENT.test(module))).toEqual([]);
    expect(modules).toEqual(expect.arrayContaining(['functions/adapters/kubernetes/rest-client.ts', 'functions/adapters/kubernetes/check-api.ts']));
    expect(assetKb).toBeLessThanOrEqual(1024);
  }, 120_000);
});
