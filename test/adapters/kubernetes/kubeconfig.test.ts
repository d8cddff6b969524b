import { createServer } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesRestClient, readKubeconfig } from '../../../functions/adapters/kubernetes';
import { ConfigurationError } from '../../../functions/config';
import { createSelfSignedCertificate } from '../../../local/k8s-simulator/tls';

const b64 = (text: string) => Buffer.from(text).toString('base64');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function kubeconfig(yaml: string): Promise<string> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, yaml);
  return path;
}

/** Block-style YAML as kubectl writes it (the simulator's files use JSON-quoted flow values). */
const KUBECTL_STYLE = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: ca.pem
    server: https://eu.example:6443
  name: eu-cluster
- cluster:
    insecure-skip-tls-verify: true
    server: http://127.0.0.1:8080/prefix
  name: dev-cluster
users:
- name: eu-user
  user:
    tokenFile: token.txt
- name: cert-user
  user:
    client-certificate-data: ${b64('CERT PEM\n')}
    client-key-data: ${b64('KEY PEM\n')}
- name: sso
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
contexts:
- context: {cluster: eu-cluster, user: eu-user, namespace: shop}
  name: eu
- context: {cluster: dev-cluster, user: cert-user}
  name: dev
- context: {cluster: eu-cluster, user: sso}
  name: sso
- context: {cluster: dev-cluster}
  name: anonymous
current-context: dev
preferences: {}
`;

describe('readKubeconfig', () => {
  it('makes each context a connection, the current context first, files relative to the kubeconfig', async () => {
    await writeFile(join(dir, 'ca.pem'), 'CA PEM\n');
    await writeFile(join(dir, 'token.txt'), 'file-token\n');
    const file = readKubeconfig(await kubeconfig(KUBECTL_STYLE));
    expect(file.names).toEqual(['dev', 'eu', 'sso', 'anonymous']);
    const eu = file.connection('eu');
    expect(eu).toMatchObject({ server: 'https://eu.example:6443', ca: 'CA PEM\n' });
    expect(eu.insecureSkipTlsVerify).toBeUndefined();
    expect(await eu.token?.()).toBe('file-token');
    await writeFile(join(dir, 'token.txt'), 'rotated\n');
    expect(await eu.token?.()).toBe('rotated'); // read at each request
    expect(file.connection('dev')).toEqual({ server: 'http://127.0.0.1:8080/prefix', insecureSkipTlsVerify: true, clientCertificate: 'CERT PEM\n', clientKey: 'KEY PEM\n' });
    expect(file.connection('anonymous')).toEqual({ server: 'http://127.0.0.1:8080/prefix', insecureSkipTlsVerify: true });
  });

  it('refuses what it does not support when that context is used, naming the field', async () => {
    const file = readKubeconfig(await kubeconfig(KUBECTL_STYLE));
    expect(() => file.connection('sso')).toThrow(ConfigurationError);
    expect(() => file.connection('sso')).toThrow(/context "sso": the user field exec is not supported/);
    const proxied = readKubeconfig(await kubeconfig(KUBECTL_STYLE.replace('server: https://eu.example:6443', 'server: https://eu.example:6443\n    proxy-url: http://proxy:3128')));
    expect(() => proxied.connection('eu')).toThrow(/the cluster field proxy-url is not supported/);
    expect(proxied.connection('dev').server).toBe('http://127.0.0.1:8080/prefix');
  });

  it('takes the first context when there is no current one, and refuses broken files', async () => {
    expect(readKubeconfig(await kubeconfig(KUBECTL_STYLE.replace('current-context: dev', ''))).names[0]).toBe('eu');
    const broken = async (yaml: string) => {
      const path = await kubeconfig(yaml);
      return () => readKubeconfig(path);
    };
    expect(await broken('contexts: []\n')).toThrow(/has no contexts/);
    expect(await broken(KUBECTL_STYLE.replace('current-context: dev', 'current-context: asia'))).toThrow(/current context, "asia", that is not one of its contexts/);
    expect(await broken('clusters: [\n')).toThrow(ConfigurationError);
    expect(() => readKubeconfig(join(dir, 'missing'))).toThrow(ConfigurationError);
    const noServer = readKubeconfig(await kubeconfig(KUBECTL_STYLE.replace('server: https://eu.example:6443', 'server: ""')));
    expect(() => noServer.connection('eu')).toThrow(/its cluster has no server/);
    const halfCert = readKubeconfig(await kubeconfig(KUBECTL_STYLE.replace(/ {4}client-key-data: .*\n/, '')));
    expect(() => halfCert.connection('dev')).toThrow(/a client certificate needs its key/);
  });
});

describe('a client certificate from the kubeconfig', () => {
  const serverCert = createSelfSignedCertificate('127.0.0.1', 'api-server');
  const clientCert = createSelfSignedCertificate('127.0.0.1', 'gatekeeper-client');
  // Like an API server configured with --client-ca-file: only certificates it trusts get in.
  const server = createServer({ key: serverCert.key, cert: serverCert.cert, ca: clientCert.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', message: peer.subject?.CN }));
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('is presented to the server (mutual TLS)', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const yaml = `clusters:
- name: c
  cluster: { server: "https://127.0.0.1:${(server.address() as AddressInfo).port}", certificate-authority-data: ${b64(serverCert.cert)} }
users:
- name: u
  user: { client-certificate-data: ${b64(clientCert.cert)}, client-key-data: ${b64(clientCert.key)} }
contexts:
- name: c
  context: { cluster: c, user: u }
`;
    const client = new KubernetesRestClient(readKubeconfig(await kubeconfig(yaml)).connection('c'));
    try {
      expect(await client.request('GET', '/version')).toEqual({ kind: 'Status', message: 'gatekeeper-client' });
    } finally {
      client.close();
    }
  });
});
