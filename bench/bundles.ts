import { execFile } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptions, lambdaEntries, lambdaNames } from '../cdk/lambda-bundles';
import { median } from './stats';

const run = promisify(execFile);

export interface BundleFigures {
  sizes: Array<{ name: string; kb: number }>;
  coldStart: Array<{ name: string; kb: number; importMs: number; firstRequestMs: number }>;
}

/** API Gateway HTTP API (payload v2) event for GET /healthz. */
const healthzEvent = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/healthz',
  rawQueryString: '',
  headers: { host: 'bench.local' },
  requestContext: { http: { method: 'GET', path: '/healthz', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: 'bench', stage: '$default', timeEpoch: 0 },
  isBase64Encoded: false,
};

// Runs in a fresh process per sample: import the bundle, then serve one request.
const probe = `
const t0 = performance.now();
const { handler } = await import(process.argv[1]);
const t1 = performance.now();
const response = await handler(JSON.parse(process.argv[2]), {});
const t2 = performance.now();
if (response.statusCode !== 200) throw new Error('status ' + response.statusCode);
console.log(JSON.stringify({ importMs: t1 - t0, firstRequestMs: t2 - t1 }));
`;

/** Configuration the API bundle reads at import, as Lambda would give it (nothing is contacted for /healthz). */
const apiEnv = {
  TABLE_NAME: 'gatekeeper-bench',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:gatekeeper-release',
  LINK_SIGNING_SECRET: 'x'.repeat(40),
  MAIL_FROM: 'gatekeeper@example.com',
  PUBLIC_BASE_URL: 'https://gatekeeper.example.com',
  AWS_REGION: 'us-east-1',
  LOG_LEVEL: 'error',
  // Dashboard sign-in: read at import; the provider is contacted only when someone signs in.
  OIDC_ISSUER: 'https://idp.example.com',
  OIDC_CLIENT_ID: 'gatekeeper',
  OIDC_CLIENT_SECRET: 'y'.repeat(40),
  SESSION_SECRET: 'z'.repeat(40),
};

export async function measureBundles(runs = 5): Promise<BundleFigures> {
  const outDir = await mkdtemp(join(tmpdir(), 'gatekeeper-bench-'));
  const entries: Array<[string, string]> = [...lambdaNames.map((name): [string, string] => [name, lambdaEntries[name]]), ['bare Hono hello-world', 'bench/fixtures/hello-hono.ts']];
  const files = new Map<string, string>();
  const sizes = [];
  for (const [name, entry] of entries) {
    const outfile = join(outDir, name.replace(/\W+/g, '-'), 'index.mjs');
    await build(esbuildOptions(entry, outfile));
    files.set(name, outfile);
    sizes.push({ name, kb: (await stat(outfile)).size / 1024 });
  }
  const coldStart = [];
  for (const name of ['api', 'bare Hono hello-world']) {
    const file = files.get(name) ?? '';
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe, file, JSON.stringify(healthzEvent)], { env: { ...process.env, ...apiEnv } });
      samples.push(JSON.parse(stdout) as { importMs: number; firstRequestMs: number });
    }
    coldStart.push({
      name,
      kb: sizes.find((s) => s.name === name)?.kb ?? 0,
      importMs: median(samples.map((s) => s.importMs)),
      firstRequestMs: median(samples.map((s) => s.firstRequestMs)),
    });
  }
  return { sizes, coldStart };
}
