import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigYaml, type KubernetesSimulator, startKubernetesSimulator } from '../../local/k8s-simulator';

// core/v1 Secrets in the simulator, through the real client: base64 `data`, write-only `stringData`, tables, persistence.

const TOKEN = 'secrets-test-token';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const coreFor = (sim: KubernetesSimulator) => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigYaml(sim.url, TOKEN));
  return kubeConfig.makeApiClient(CoreV1Api);
};

/** The Status object of a failed client call. */
async function failure(promise: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  const error = await promise.then(
    () => expect.fail('expected the call to fail'),
    (e: unknown) => e as { code: number; body: string },
  );
  return { ...JSON.parse(error.body), code: error.code };
}

describe('Kubernetes API simulator Secrets', () => {
  let dir: string;
  let statePath: string;
  let sim: KubernetesSimulator;
  let core: CoreV1Api;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8s-secrets-'));
    statePath = join(dir, 'k8s-state.json');
    sim = await startKubernetesSimulator({ token: TOKEN, statePath });
    core = coreFor(sim);
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
  });
  afterAll(async () => {
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates, reads, lists, replaces, patches and deletes, with base64 data and the Opaque default', async () => {
    const created = await core.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'api-token' }, data: { token: b64('Bearer s3cr3t') } } });
    expect(created).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'api-token', namespace: 'shop' }, data: { token: b64('Bearer s3cr3t') } });
    expect(created.metadata?.uid).toBeTruthy();
    expect(await core.readNamespacedSecret({ name: 'api-token', namespace: 'shop' })).toEqual(created);
    expect((await core.listNamespacedSecret({ namespace: 'shop' })).items.map((s) => s.metadata?.name)).toEqual(['api-token']);
    expect((await core.listSecretForAllNamespaces()).items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toContain('shop/api-token');

    const replaced = await core.replaceNamespacedSecret({ name: 'api-token', namespace: 'shop', body: { ...created, data: { token: b64('new') } } });
    expect(replaced.data).toEqual({ token: b64('new') });
    const stale = core.replaceNamespacedSecret({ name: 'api-token', namespace: 'shop', body: { ...created, data: { token: b64('lost') } } });
    expect(await failure(stale)).toMatchObject({ code: 409, reason: 'Conflict', message: expect.stringContaining('secrets "api-token"') });

    const patched = await core.patchNamespacedSecret(
      { name: 'api-token', namespace: 'shop', body: { data: { extra: b64('x') } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.data).toEqual({ token: b64('new'), extra: b64('x') });

    await core.deleteNamespacedSecret({ name: 'api-token', namespace: 'shop' });
    expect(await failure(core.readNamespacedSecret({ name: 'api-token', namespace: 'shop' }))).toMatchObject({ code: 404, reason: 'NotFound', message: 'secrets "api-token" not found' });
  });

  it('encodes stringData into data and drops it; keeps binary data; omits empty data', async () => {
    const binary = Buffer.from([0, 255, 10, 128]).toString('base64');
    const created = await core.createNamespacedSecret({
      namespace: 'shop',
      body: { metadata: { name: 'mixed' }, type: 'example.com/custom', data: { bin: binary, shared: b64('from data') }, stringData: { shared: 'from stringData', 'app.yaml': 'a: é\n' } },
    });
    expect(created.type).toBe('example.com/custom');
    expect(created.data).toEqual({ bin: binary, shared: b64('from stringData'), 'app.yaml': b64('a: é\n') });
    expect(created).not.toHaveProperty('stringData');
    // Base64 with line breaks is accepted and stored canonically.
    const wrapped = await core.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'wrapped' }, data: { k: 'aGVs\nbG8=' } } });
    expect(wrapped.data).toEqual({ k: b64('hello') });
    const empty = await core.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'empty' } } });
    expect(empty).not.toHaveProperty('data');
    expect(empty.type).toBe('Opaque');
  });

  it('refuses data that is not base64 (400), invalid keys and non-string values (422), and a missing namespace', async () => {
    const create = (body: object, namespace = 'shop') => failure(core.createNamespacedSecret({ namespace, body: { metadata: { name: 'bad' }, ...body } }));
    expect(await create({ data: { token: 'not base64!' } })).toMatchObject({ code: 400, reason: 'BadRequest', message: expect.stringContaining('illegal base64 data in data["token"]') });
    expect(await create({ data: { token: 'aGk' } })).toMatchObject({ code: 400 }); // padding is required
    expect(await create({ data: { 'a/b': b64('x') } })).toMatchObject({ code: 422, reason: 'Invalid', message: expect.stringContaining('data["a/b"]') });
    expect(await create({ stringData: { '..': 'x' } })).toMatchObject({ code: 422, message: expect.stringContaining('stringData[".."]') });
    expect(await create({ stringData: { n: 1 } })).toMatchObject({ code: 422, message: expect.stringContaining('stringData: values must be strings') });
    expect(await create({ stringData: { big: 'x'.repeat(1024 * 1024) } })).toMatchObject({ code: 422, message: expect.stringContaining('Too long') });
    expect(await create({ data: {} }, 'nowhere')).toMatchObject({ code: 404, reason: 'NotFound' });
  });

  it('answers kubectl tables with NAME, TYPE, DATA, AGE and is in discovery', async () => {
    await core.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'table' }, stringData: { a: '1', b: '2' } } });
    const response = await fetch(`${sim.url}/api/v1/namespaces/shop/secrets/table`, { headers: { authorization: `Bearer ${TOKEN}`, accept: TABLE } });
    const table = (await response.json()) as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(table.rows.map((r) => r.cells.slice(0, 3))).toEqual([['table', 'Opaque', 2]]);
    const discovery = (await (await fetch(`${sim.url}/api/v1`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] };
    expect(discovery.resources.find((r) => r.name === 'secrets')).toMatchObject({ kind: 'Secret', namespaced: true, verbs: expect.arrayContaining(['create', 'get', 'list', 'update', 'delete']) });
  });

  it('persists Secrets across a restart', async () => {
    await core.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'kept' }, stringData: { k: 'v' } } });
    await sim.close();
    sim = await startKubernetesSimulator({ token: TOKEN, statePath });
    core = coreFor(sim);
    expect((await core.readNamespacedSecret({ name: 'kept', namespace: 'shop' })).data).toEqual({ k: b64('v') });
  });
});
