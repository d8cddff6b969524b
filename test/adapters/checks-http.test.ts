import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpCheckRunner, kubernetesSecretReader, type ReadSecret } from '../../functions/adapters/checks';
import { type CheckApi, KubernetesRestClient, restCheckApi } from '../../functions/adapters/kubernetes';
import { parseChecks } from '../../functions/domain/check-definitions';
import type { CheckContext, HttpCheck } from '../../functions/domain/checks';
import { ClusterUnreachableError } from '../../functions/domain/errors';
import { kubeconfigYaml, type KubernetesSimulator, startKubernetesSimulator } from '../../local/k8s-simulator';

const TOKEN = 'checks-http-token';
const SECRET = 's3cr3t-probe-value';
const context: CheckContext = { app: 'shop', environment: 'staging', namespace: 'shop', image: 'registry.example/shop:1', releaseId: 'rel_1' };

/** Starts a server on a free loopback port. */
async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const close = (server: Server | undefined) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

/**
 * Time that skips ahead on sleep, so windows of seconds run in milliseconds;
 * the requests themselves take real time.
 */
function virtualTime() {
  let skipped = 0;
  return { clock: () => new Date(Date.now() + skipped), sleep: async (ms: number) => void (skipped += ms) };
}

describe('HttpCheckRunner against a local HTTP server', () => {
  let target: Server;
  let url: string;
  /** What the target answers next: status and body per request, the last repeated. */
  let answers: Array<{ status: number; body?: string }>;
  let received: IncomingHttpHeaders[];
  let cluster: KubernetesSimulator;
  let readSecret: ReadSecret;

  const httpCheck = (fields: Record<string, unknown>): HttpCheck => parseChecks([{ name: 'health', phase: 'post', kind: 'http', url: `${url}/health`, ...fields }])[0] as HttpCheck;
  const runner = (options: { attemptTimeoutMs?: number } = {}) => new HttpCheckRunner({ readSecret, ...virtualTime(), ...options });

  beforeAll(async () => {
    ({ server: target, url } = await listen((request, response) => {
      received.push(request.headers);
      if (request.url === '/hang') return; // never answers
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body ?? '{}');
    }));
    // The default ReadSecret against the Kubernetes simulator, holding one Secret created as a deployer would.
    cluster = await startKubernetesSimulator({ token: TOKEN });
    const core = kubeConfigOf(cluster.url).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await core.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'probe-token' }, data: { token: Buffer.from(`Bearer ${SECRET}\n`).toString('base64') } } });
    readSecret = kubernetesSecretReader(onlyCluster(checkApiOf(cluster.url)), { requestTimeoutMs: 1000, transportAttempts: 1 });
  });
  afterAll(async () => {
    await close(target);
    await cluster?.close();
  });
  beforeEach(() => {
    answers = [{ status: 200 }];
    received = [];
  });

  it('passes on the first expected answer', async () => {
    const result = await runner().run(httpCheck({}), context);
    expect(result).toMatchObject({ name: 'health', kind: 'http', phase: 'post', passed: true, observations: [200] });
    expect(result.summary).toBe(`health: GET ${url}/health answered 200 after 1 attempt in 0 s`);
  });

  it('retries a wrong status every interval and passes within the window', async () => {
    answers = [{ status: 503 }, { status: 503 }, { status: 200 }];
    const result = await runner().run(httpCheck({ windowSeconds: 30, intervalSeconds: 5 }), context);
    expect(result).toMatchObject({ passed: true, observations: [503, 503, 200], summary: `health: GET ${url}/health answered 200 after 3 attempts in 10 s` });
  });

  it('fails when no attempt in the window passes, recording each', async () => {
    answers = [{ status: 503 }];
    const result = await runner().run(httpCheck({ windowSeconds: 12, intervalSeconds: 5 }), context);
    // Attempts at 0, 5 and 10 s; the next would start after the window.
    expect(result).toMatchObject({
      passed: false,
      observations: [503, 503, 503],
      summary: `health: GET ${url}/health did not pass within 12 s (3 attempts); the last answered 503 (expected 200)`,
    });
  });

  it('checks a JSONPath condition on the body', async () => {
    const check = httpCheck({ jsonPath: { path: '$.checks[0].status', equals: 'up' }, windowSeconds: 10, intervalSeconds: 5 });
    answers = [{ status: 200, body: '{"checks":[{"status":"down"}]}' }, { status: 200, body: '{"checks":[{"status":"up"}]}' }];
    expect(await runner().run(check, context)).toMatchObject({ passed: true, observations: ['200, $.checks[0].status="down"', 200] });

    answers = [{ status: 200, body: '{"checks":[]}' }];
    const failed = await runner().run(check, context);
    expect(failed).toMatchObject({ passed: false, observations: ['200, $.checks[0].status missing', '200, $.checks[0].status missing'] });
    expect(failed.summary).toMatch(/the last answered 200 but the body has no \$\.checks\[0\]\.status$/);
  });

  it('fails, without throwing, when the target does not answer', async () => {
    const closed = await listen(() => undefined);
    await close(closed.server);
    const refused = await runner().run(httpCheck({ url: closed.url, windowSeconds: 1 }), context);
    expect(refused).toMatchObject({ passed: false, observations: ['connection refused, ECONNREFUSED'] });

    const hung = await runner({ attemptTimeoutMs: 200 }).run(httpCheck({ url: `${url}/hang`, windowSeconds: 1 }), context);
    expect(hung).toMatchObject({ passed: false, observations: ['no answer within 0.2s'], summary: expect.stringMatching(/the last got no answer \(no answer within 0\.2s\)$/) });
  });

  it('does not follow a redirect', async () => {
    answers = [{ status: 302 }];
    expect(await runner().run(httpCheck({ windowSeconds: 1 }), context)).toMatchObject({ passed: false, observations: [302] });
  });

  it('sends a header from a Secret, and never shows its value', async () => {
    const check = httpCheck({ headers: { Authorization: { secretRef: { name: 'probe-token', key: 'token' } }, 'X-Probe': 'gatekeeper' } });
    const result = await runner().run(check, context);
    expect(result.passed).toBe(true);
    expect(received[0]).toMatchObject({ authorization: `Bearer ${SECRET}`, 'x-probe': 'gatekeeper' });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('fails saying which Secret is missing, and throws when the cluster does not answer', async () => {
    const missing = await runner().run(httpCheck({ headers: { 'X-Token': { secretRef: { name: 'probe-token', key: 'other' } } } }), context);
    expect(missing).toMatchObject({ passed: false, observations: [], summary: 'health: header X-Token could not be read from secret shop/probe-token key "other": secret shop/probe-token has no key "other"' });
    const absent = await runner().run(httpCheck({ headers: { 'X-Token': { secretRef: { name: 'no-such-secret', key: 'token' } } } }), context);
    expect(absent.summary).toBe('health: header X-Token could not be read from secret shop/no-such-secret key "token": secret shop/no-such-secret not found');
    expect(received).toEqual([]);

    const gone = await listen(() => undefined);
    await close(gone.server);
    const unreachable = new HttpCheckRunner({ readSecret: kubernetesSecretReader(onlyCluster(checkApiOf(gone.url)), { transportAttempts: 1 }), ...virtualTime() });
    const error = await unreachable.run(httpCheck({ headers: { 'X-Token': { secretRef: { name: 'probe-token', key: 'token' } } } }), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).message).toMatch(/did not answer \(connection refused, ECONNREFUSED\); reading secret shop\/probe-token failed$/);
  });
});

/** The checks' own Kubernetes calls, as the run-checks function makes them. */
const checkApiOf = (server: string) => restCheckApi(new KubernetesRestClient({ server, token: () => TOKEN }));
const onlyCluster = (api: CheckApi) => () => api;

/** A client-node client, for creating what a deployer would before the check reads it. */
function kubeConfigOf(server: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigYaml(server, TOKEN));
  return kubeConfig;
}
