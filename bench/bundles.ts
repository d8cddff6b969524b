import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBundle, lambdaEntries, lambdaNames } from '../cdk/lambda-bundles';
import type { BundleOutput } from '../cdk/lambda-bundles';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { freePort } from '../local/free-port';
import { DEMO_APP, DEMO_CI_IDENTITY, seedDemo } from '../local/seed';
import { ensureTable } from '../local/tables';
import type { Workflow } from '../functions/domain/ports';
import { buildApiDeps } from '../functions/runtime/api';
import { releaseRequestSchema, startRelease } from '../functions/usecases/start-release';
import type { ProfileRow } from './import-profile';
import { target, targetHeader } from './report';
import { median, ms } from './stats';

const run = promisify(execFile);

/** The floor of issue 13: bare Hono + lib-dynamodb doing one GetItem, built like every Lambda. */
export const FLOOR = 'floor (Hono + one GetItem)';
const FLOOR_ENTRY = 'bench/fixtures/floor.ts';

export interface ColdStart {
  name: string;
  importMs: number;
  firstRequestMs: number;
  /** Median of each sample's import + first request. */
  totalMs: number;
  /** The same, in CPU time of the process. */
  importCpuMs: number;
  firstRequestCpuMs: number;
  totalCpuMs: number;
}

type Sample = Pick<ColdStart, 'importMs' | 'firstRequestMs' | 'importCpuMs' | 'firstRequestCpuMs'>;

export interface BundleFigures {
  /** Every bundle: what loads at cold start (the entry and what it imports statically), and the whole asset. */
  sizes: Array<{ name: string } & BundleOutput>;
  /** Import + first GET /v1/releases/{id} against DynamoDB Local, in a fresh process each: the API and the floor. */
  coldStart: ColdStart[];
  /** The built bundles, for the profile (bench/import-profile.ts); removed by `dispose`. */
  entries: Map<string, string>;
  /** The environment and event the probes ran with (DynamoDB Local is stopped by `dispose`). */
  probe: { env: NodeJS.ProcessEnv; event: unknown };
  dispose(): Promise<void>;
}

/** API Gateway HTTP API (payload v2) event: GET /v1/releases/{id} with the CI token. */
const releaseEvent = (releaseId: string, token: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: `/v1/releases/${releaseId}`,
  rawQueryString: '',
  headers: { host: 'bench.local', authorization: `Bearer ${token}`, accept: 'application/json' },
  requestContext: {
    http: { method: 'GET', path: `/v1/releases/${releaseId}`, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    requestId: 'bench',
    stage: '$default',
    timeEpoch: 0,
  },
  isBase64Encoded: false,
});

// Runs in a fresh process per sample: import the bundle, then serve one request. Wall time, and
// this process's CPU time (user + system), which a loaded, shared machine disturbs far less.
export const probe = `
const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const t0 = performance.now(), c0 = cpu();
const { handler } = await import(process.argv[1]);
const t1 = performance.now(), c1 = cpu();
const response = await handler(JSON.parse(process.argv[2]), {});
const t2 = performance.now(), c2 = cpu();
if (response.statusCode !== 200) throw new Error('status ' + response.statusCode + ': ' + response.body);
console.log(JSON.stringify({ importMs: t1 - t0, firstRequestMs: t2 - t1, importCpuMs: c1 - c0, firstRequestCpuMs: c2 - c1 }));
`;

/** What Lambda would give the API at cold start (the CDK stack's variables; secrets by value, as locally). */
const apiEnv = (tableName: string, endpoint: string) => ({
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: endpoint,
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:gatekeeper-release',
  LINK_SIGNING_SECRET: 'x'.repeat(40),
  MAIL_FROM: 'gatekeeper@example.com',
  PUBLIC_BASE_URL: 'https://gatekeeper.example.com',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  LOG_LEVEL: 'error',
  // Dashboard sign-in: read at import; the provider is contacted only when someone signs in.
  OIDC_ISSUER: 'https://idp.example.com',
  OIDC_CLIENT_ID: 'gatekeeper',
  OIDC_CLIENT_SECRET: 'y'.repeat(40),
  SESSION_SECRET: 'z'.repeat(40),
});

/** A registered app, the CI token and one release of it (started with a workflow that does nothing: only the record matters). */
async function seed(env: NodeJS.ProcessEnv, endpoint: string, tableName: string, ciToken: string): Promise<string> {
  await ensureTable(endpoint, tableName);
  await seedDemo(endpoint, tableName, { ciToken, adminToken: `gk_${randomBytes(32).toString('base64url')}`, approvalTimeoutSeconds: 3600 });
  const deps = buildApiDeps(env);
  const workflow: Workflow = Object.assign(Object.create(deps.workflow) as Workflow, { start: async () => {} });
  const request = releaseRequestSchema.parse({ app: DEMO_APP, image: `registry.example.com/hello-web@sha256:${'b'.repeat(64)}` });
  const release = await startRelease({ ...deps, workflow }, request, DEMO_CI_IDENTITY);
  return release.id;
}

/** Cold-start samples per bundle (interleaved: api, floor, api, …). */
export const BUNDLE_RUNS = 11;

export async function measureBundles(runs = BUNDLE_RUNS): Promise<BundleFigures> {
  const outDir = await mkdtemp(join(tmpdir(), 'gatekeeper-bench-'));
  const named: Array<[string, string]> = [...lambdaNames.map((name): [string, string] => [name, lambdaEntries[name]]), [FLOOR, FLOOR_ENTRY]];
  const entries = new Map<string, string>();
  const sizes = [];
  for (const [name, entry] of named) {
    const output = await buildBundle(entry, join(outDir, name.replace(/\W+/g, '-')));
    entries.set(name, output.file);
    sizes.push({ name, ...output });
  }

  const port = await freePort();
  const dynamodb = await startDynamoDbLocal({ port });
  const tableName = 'gatekeeper-bench-cold-start';
  const ciToken = `gk_${randomBytes(32).toString('base64url')}`;
  const env = { ...process.env, ...apiEnv(tableName, dynamodb.endpoint) };
  const dispose = async () => {
    await dynamodb.stop();
    await rm(outDir, { recursive: true, force: true });
  };
  try {
    const event = releaseEvent(await seed(env, dynamodb.endpoint, tableName, ciToken), ciToken);
    // Interleaved, so both see the same machine load.
    const samples = new Map<string, Sample[]>([['api', []], [FLOOR, []]]);
    for (let i = 0; i < runs; i++) {
      for (const [name, list] of samples) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe, entries.get(name) ?? '', JSON.stringify(event)], { env });
        list.push(JSON.parse(stdout) as Sample);
      }
    }
    const coldStart = [...samples].map(([name, list]): ColdStart => {
      const of = (pick: (s: Sample) => number) => median(list.map(pick));
      return {
        name,
        importMs: of((s) => s.importMs),
        firstRequestMs: of((s) => s.firstRequestMs),
        totalMs: of((s) => s.importMs + s.firstRequestMs),
        importCpuMs: of((s) => s.importCpuMs),
        firstRequestCpuMs: of((s) => s.firstRequestCpuMs),
        totalCpuMs: of((s) => s.importCpuMs + s.firstRequestCpuMs),
      };
    });
    return { sizes, coldStart, entries, probe: { env, event }, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** What the dashboard adds (its routes, views, sign-in and chart library): none of it may load on the API face. */
export const DASHBOARD_MODULE = /functions\/(?:api|views)\/dashboard\/|functions\/adapters\/oidc\/client|node_modules\/(?:openid-client|oauth4webapi|uplot)\//;

const kb = (value: number) => `${value.toFixed(1)} KB`;

/** The bundle and cold-start tables, the profile, and each figure of issue 13 beside its target. */
export function bundleReport(figures: BundleFigures, runs: number, profile: ProfileRow[]): string {
  const size = (name: string) => figures.sizes.find((s) => s.name === name);
  const cold = (name: string) => figures.coldStart.find((c) => c.name === name);
  const api = size('api');
  const floor = size(FLOOR);
  const [apiCold, floorCold] = [cold('api'), cold(FLOOR)];
  const lines = [
    '| Lambda bundle (minified ESM, code-split) | loaded at cold start | whole asset |',
    '|---|---|---|',
    ...figures.sizes.map((s) => `| ${s.name} | ${kb(s.loadedKb)} | ${kb(s.assetKb)} |`),
    '',
    `| Cold start: import + first GET /v1/releases/{id} against DynamoDB Local (fresh process, median of ${runs}) | import | first request | total | CPU time (total) |`,
    '|---|---|---|---|---|',
    ...figures.coldStart.map((c) => `| ${c.name} | ${ms(c.importMs)} | ${ms(c.firstRequestMs)} | ${ms(c.totalMs)} | ${ms(c.totalCpuMs)} |`),
    '',
    '| Where the API\'s cold start goes (CPU profile, self time, median of 5; bundle bytes from the metafile) | CPU | bundle |',
    '|---|---|---|',
    ...profile.filter((row) => row.cpuMs >= 0.5 || row.kb >= 5).map((row) => `| ${row.module} | ${ms(row.cpuMs)} | ${kb(row.kb)} |`),
    '',
    targetHeader,
  ];
  if (api && floor && apiCold && floorCold) {
    lines.push(
      target('API cold start, wall time (× floor)', apiCold.totalMs / floorCold.totalMs, 1.2, '×'),
      target('API cold start, CPU time (× floor)', apiCold.totalCpuMs / floorCold.totalCpuMs, 1.2, '×'),
      target('API bundle loaded at cold start (× floor)', api.loadedKb / floor.loadedKb, 1.2, '×'),
      target('API bundle, whole asset (× floor)', api.assetKb / floor.assetKb, 1.2, '×'),
      target('dashboard modules loaded by the API face', api.loadedModules.filter((m) => DASHBOARD_MODULE.test(m)).length, 0, 'modules'),
    );
  }
  for (const name of ['deploy', 'rollback']) {
    const bundle = size(name);
    if (bundle) lines.push(target(`${name} bundle, whole asset`, bundle.assetKb, 1024, 'KB'));
  }
  return lines.join('\n');
}
