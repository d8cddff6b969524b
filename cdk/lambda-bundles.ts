import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions, Metafile } from 'esbuild';

/** Repository root; entries and relative outfiles resolve against it, whatever the cwd. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Lambda entry points, relative to the repository root. Each exports `handler`. */
export const lambdaEntries = {
  api: 'functions/lambda/api.ts',
  dashboard: 'functions/lambda/dashboard.ts',
  deploy: 'functions/lambda/deploy.ts',
  rollback: 'functions/lambda/rollback.ts',
  runChecks: 'functions/lambda/run-checks.ts',
  requestApproval: 'functions/lambda/request-approval.ts',
  recordOutcome: 'functions/lambda/record-outcome.ts',
  reconcile: 'functions/lambda/reconcile.ts',
  events: 'functions/lambda/events.ts',
  rotateSigningKey: 'functions/lambda/rotate-signing-key.ts',
  checkpointAudit: 'functions/lambda/checkpoint-audit.ts',
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
 * With code splitting every dynamic `import()` (the SES and Step Functions clients,
 * openid-client, the SDK's own credential providers, the API's less used route groups)
 * becomes a chunk that loads on first use only: the entry, `index.mjs`, and what it
 * imports statically is all a cold start reads (issue 13; measured against one bundle
 * with the imports inlined).
 *
 * @param entry  entry file, relative to the repository root or absolute
 * @param outdir output directory (the function's asset), relative to the repository root or absolute
 */
export function esbuildOptions(entry: string, outdir: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: repoRoot,
    entryPoints: [entry],
    outdir,
    entryNames: 'index',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
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

/** A built bundle: its entry file, what a cold start loads (the entry and its static imports), and the whole asset. */
export interface BundleOutput {
  file: string;
  loadedKb: number;
  assetKb: number;
  /** The source modules (esbuild's input paths) in the chunks a cold start loads. */
  loadedModules: string[];
  /** Every file of the asset (esbuild's output paths), for `loadedWith`. */
  files: Record<string, BundleFile>;
  /** The entry's output path in `files`. */
  entry: string;
}

export interface BundleFile {
  bytes: number;
  /** Files it imports statically: they load with it. */
  imports: string[];
  /** The source module an `import()` of which loads this file (a chunk's own entry point). */
  entryPoint?: string;
  modules: string[];
}

/**
 * What loading the entry reads, and then the `import()`s of `lazy` (source modules, e.g. a route
 * group's module on its first request): each with the files it imports statically.
 */
export function loadedWith(bundle: Pick<BundleOutput, 'files' | 'entry'>, lazy: readonly string[] = []): { kb: number; modules: string[] } {
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const imported of bundle.files[file]?.imports ?? []) visit(imported);
  };
  visit(bundle.entry);
  for (const module of lazy) {
    const chunk = Object.keys(bundle.files).find((file) => bundle.files[file]?.entryPoint === module);
    if (!chunk) throw new Error(`no chunk is loaded by import('${module}')`);
    visit(chunk);
  }
  const files = [...loaded].map((file) => bundle.files[file]);
  return { kb: files.reduce((sum, file) => sum + (file?.bytes ?? 0), 0) / 1024, modules: files.flatMap((file) => file?.modules ?? []) };
}

/** What a build's metafile says about its entry (`index.mjs` in `outdir`). */
export function describeBundle(metafile: Metafile, outdir: string): BundleOutput {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((file) => path.resolve(repoRoot, file) === path.resolve(repoRoot, outdir, bundleFileName));
  if (!entry) throw new Error(`no ${bundleFileName} in ${outdir}`);
  const files = Object.fromEntries(
    Object.entries(outputs).map(([file, output]): [string, BundleFile] => [
      file,
      {
        bytes: output.bytes,
        imports: output.imports.filter(({ path: imported, kind }) => kind === 'import-statement' && imported in outputs).map(({ path: imported }) => imported),
        ...(output.entryPoint ? { entryPoint: output.entryPoint } : {}),
        modules: Object.keys(output.inputs),
      },
    ]),
  );
  const loaded = loadedWith({ files, entry });
  const assetKb = Object.values(files).reduce((sum, file) => sum + file.bytes, 0) / 1024;
  return { file: path.resolve(repoRoot, entry), loadedKb: loaded.kb, assetKb, loadedModules: loaded.modules, files, entry };
}

/** Builds one Lambda's bundle into `outdir`. */
export async function buildBundle(entry: string, outdir: string): Promise<BundleOutput> {
  const { metafile } = await build(esbuildOptions(entry, outdir));
  return describeBundle(metafile, outdir);
}
