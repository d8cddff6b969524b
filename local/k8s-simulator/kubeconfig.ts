import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const NAME = 'gatekeeper-simulator';

/**
 * A kubeconfig for the simulator: one cluster, one token user, one context.
 * Over HTTPS the cluster trusts `caCertificate` (PEM). Over plain HTTP it sets
 * insecure-skip-tls-verify, without which @kubernetes/client-node refuses an
 * http:// server; note that kubectl (client-go) never sends credentials over
 * plain HTTP, so kubectl needs the HTTPS mode. Strings are JSON-quoted, which
 * is valid YAML.
 */
export function kubeconfigYaml(server: string, token: string, caCertificate?: string, namespace = 'default'): string {
  const q = (value: string) => JSON.stringify(value);
  const trust = caCertificate
    ? `    certificate-authority-data: ${q(Buffer.from(caCertificate).toString('base64'))}`
    : '    insecure-skip-tls-verify: true';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${NAME}`,
    '  cluster:',
    `    server: ${q(server)}`,
    trust,
    'users:',
    `- name: ${NAME}`,
    '  user:',
    `    token: ${q(token)}`,
    'contexts:',
    `- name: ${NAME}`,
    '  context:',
    `    cluster: ${NAME}`,
    `    user: ${NAME}`,
    `    namespace: ${q(namespace)}`,
    `current-context: ${NAME}`,
    'preferences: {}',
    '',
  ].join('\n');
}

export async function writeKubeconfigFile(path: string, server: string, token: string, caCertificate?: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, kubeconfigYaml(server, token, caCertificate), { mode: 0o600 });
}
