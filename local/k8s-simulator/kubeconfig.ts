import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The cluster, user and context name of a single-simulator kubeconfig. */
export const DEFAULT_CONTEXT = 'gatekeeper-simulator';

/** One cluster of a kubeconfig: its cluster, user and context all take `name`. */
export interface KubeconfigCluster {
  name: string;
  server: string;
  token: string;
  /** PEM CA to trust; without it the cluster is marked insecure-skip-tls-verify. */
  caCertificate?: string;
  /** The context's default namespace. Default "default". */
  namespace?: string;
}

/**
 * A kubeconfig with one cluster, token user and context per entry. Over HTTPS
 * a cluster trusts `caCertificate` (PEM). Over plain HTTP it sets
 * insecure-skip-tls-verify, without which @kubernetes/client-node refuses an
 * http:// server; note that kubectl (client-go) never sends credentials over
 * plain HTTP, so kubectl needs the HTTPS mode. Strings are JSON-quoted, which
 * is valid YAML.
 */
export function kubeconfigYamlFor(clusters: KubeconfigCluster[], currentContext: string): string {
  if (!clusters.some((c) => c.name === currentContext)) throw new Error(`kubeconfig: no cluster named ${JSON.stringify(currentContext)}`);
  const names = clusters.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new Error(`kubeconfig: cluster names must be unique (${names.join(', ')})`);
  const q = (value: string) => JSON.stringify(value);
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of clusters) {
    lines.push(`- name: ${q(c.name)}`, '  cluster:', `    server: ${q(c.server)}`);
    lines.push(c.caCertificate ? `    certificate-authority-data: ${q(Buffer.from(c.caCertificate).toString('base64'))}` : '    insecure-skip-tls-verify: true');
  }
  lines.push('users:');
  for (const c of clusters) lines.push(`- name: ${q(c.name)}`, '  user:', `    token: ${q(c.token)}`);
  lines.push('contexts:');
  for (const c of clusters) {
    lines.push(`- name: ${q(c.name)}`, '  context:', `    cluster: ${q(c.name)}`, `    user: ${q(c.name)}`, `    namespace: ${q(c.namespace ?? 'default')}`);
  }
  lines.push(`current-context: ${q(currentContext)}`, 'preferences: {}', '');
  return lines.join('\n');
}

/** A kubeconfig for one simulator, named gatekeeper-simulator. */
export function kubeconfigYaml(server: string, token: string, caCertificate?: string, namespace = 'default'): string {
  return kubeconfigYamlFor([{ name: DEFAULT_CONTEXT, server, token, caCertificate, namespace }], DEFAULT_CONTEXT);
}

export async function writeKubeconfigText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { mode: 0o600 });
}
