import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/** Repository root; entries and relative outfiles resolve against it, whatever the cwd. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda entry points, relative to the repository root. Each exports `handler`. */
export const lambdaEntries = {
  api: 'functions/lambda/api.ts',
  deploy: 'functions/lambda/deploy.ts',
  rollback: 'functions/lambda/rollback.ts',
  runChecks: 'functions/lambda/run-checks.ts',
  requestApproval: 'functions/lambda/request-approval.ts',
  recordOutcome: 'functions/lambda/record-outcome.ts',
  reconcile: 'functions/lambda/reconcile.ts',
  rotateSigningKey: 'functions/lambda/rotate-signing-key.ts',
} as const satisfies Record<string, string>;

export type LambdaName = keyof typeof lambdaEntries;

export const lambdaNames = Object.keys(lambdaEntries) as LambdaName[];

/** File name of the bundle inside a function's asset, and the matching Lambda handler. */
export const bundleFileName = 'index.mjs';
export const bundleHandler = 'index.handler';

/**
 * ESM output cannot `require()`; bundled CommonJS dependencies (parts of the AWS SDK,
 * the Kubernetes client) still do, for Node built-ins. Give them a real `require`.
 */
const requireShim = [
  "import { createRequire as __gatekeeperCreateRequire } from 'node:module';",
  'const require = __gatekeeperCreateRequire(import.meta.url);',
].join('\n');

/**
 * The one esbuild configuration for every Lambda bundle, shared by the CDK stack
 * and the bundle-size bench. `@aws-sdk/*` is bundled (not taken from the runtime),
 * so the measured size is what is deployed and the SDK version is the locked one.
 *
 * @param entry   entry file, relative to the repository root or absolute
 * @param outfile output file (`.mjs`), relative to the repository root or absolute
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: repoRoot,
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    treeShaking: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: { js: requireShim },
    sourcemap: false,
    metafile: true,
    external: [],
    // Browser scripts the dashboard serves (uPlot's build, functions/views/dashboard/assets/charts.ts) are bundled as their text.
    loader: { '.iife.min.js': 'text' },
    logLevel: 'warning',
  };
}
