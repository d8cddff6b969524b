import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { load } from 'js-yaml';
import { ConfigurationError } from '../../config';
import type { ClusterConnection } from './rest-client';

/**
 * A kubeconfig file read without @kubernetes/client-node (whose KubeConfig
 * loads its whole HTTP stack): each context becomes a ClusterConnection.
 *
 * Supported: a cluster's `server`, `certificate-authority-data`,
 * `certificate-authority` (a file, relative to the kubeconfig) and
 * `insecure-skip-tls-verify`; a user's `token`, `tokenFile`,
 * `client-certificate(-data)` and `client-key(-data)`, or no credentials.
 * Not supported, and refused with a ConfigurationError naming the field when
 * a context using it is first used: `exec` and `auth-provider` plugins,
 * `username`/`password`, impersonation (`as…`), `proxy-url`, `tls-server-name`.
 * Gatekeeper's functions get such a file only locally (the simulator's
 * kubeconfig has a server, a CA or insecure-skip-tls-verify, and a token);
 * in AWS they use CLUSTERS.
 */
export interface KubeconfigFile {
  /** Context names, the current context first (it is the default cluster). */
  names: string[];
  connection(context: string): ClusterConnection;
}

type Fields = Record<string, unknown>;

const UNSUPPORTED_CLUSTER = ['proxy-url', 'tls-server-name'] as const;
const UNSUPPORTED_USER = ['exec', 'auth-provider', 'username', 'password', 'as', 'as-uid', 'as-groups', 'as-user-extra'] as const;

export function readKubeconfig(path: string): KubeconfigFile {
  const fail = (why: string): never => {
    throw new ConfigurationError(`kubernetes: the kubeconfig ${path} ${why}`);
  };
  let document: unknown;
  try {
    document = load(readFileSync(path, 'utf8'));
  } catch (error) {
    return fail(`cannot be read: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isFields(document)) return fail('is not a YAML mapping');
  const clusters = namedEntries(document.clusters, 'cluster');
  const users = namedEntries(document.users, 'user');
  const contexts = namedEntries(document.contexts, 'context');
  const contextNames = [...contexts.keys()];
  if (contextNames.length === 0) fail('has no contexts');
  const current = typeof document['current-context'] === 'string' && document['current-context'] ? document['current-context'] : contextNames[0]!;
  if (!contexts.has(current)) fail(`has a current context, ${JSON.stringify(current)}, that is not one of its contexts`);
  // Relative file paths in a kubeconfig are relative to the file, as kubectl reads them.
  const file = (name: string) => readFileSync(resolve(dirname(path), name), 'utf8');

  return {
    names: [current, ...contextNames.filter((name) => name !== current)],
    connection(name) {
      const context = contexts.get(name) ?? fail(`has no context ${JSON.stringify(name)}`);
      const where = `context ${JSON.stringify(name)}`;
      const cluster = clusters.get(text(context.cluster) ?? '') ?? fail(`${where}: its cluster ${JSON.stringify(context.cluster)} is not defined`);
      const user = context.user === undefined ? {} : (users.get(text(context.user) ?? '') ?? fail(`${where}: its user ${JSON.stringify(context.user)} is not defined`));
      for (const field of UNSUPPORTED_CLUSTER) if (cluster[field] !== undefined) fail(`${where}: the cluster field ${field} is not supported`);
      for (const field of UNSUPPORTED_USER) if (user[field] !== undefined) fail(`${where}: the user field ${field} is not supported (use a token or a client certificate)`);
      const server = text(cluster.server) ?? fail(`${where}: its cluster has no server`);
      const connection: ClusterConnection = { server };
      const ca = pem(cluster, 'certificate-authority', file);
      if (ca !== undefined) connection.ca = ca;
      if (cluster['insecure-skip-tls-verify'] === true) connection.insecureSkipTlsVerify = true;
      const cert = pem(user, 'client-certificate', file);
      const key = pem(user, 'client-key', file);
      if ((cert === undefined) !== (key === undefined)) fail(`${where}: a client certificate needs its key, and a key its certificate`);
      if (cert !== undefined) Object.assign(connection, { clientCertificate: cert, clientKey: key });
      const token = text(user.token);
      const tokenFile = text(user.tokenFile);
      // A token file is read at each request: projected service-account tokens are rotated in place.
      if (token) connection.token = () => token;
      else if (tokenFile) connection.token = () => file(tokenFile).trim();
      return connection;
    },
  };
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** `[{ name, <key>: {…} }, …]` as a map from name to the inner mapping; entries without a name are skipped. */
function namedEntries(list: unknown, key: string): Map<string, Fields> {
  const entries = new Map<string, Fields>();
  if (!Array.isArray(list)) return entries;
  for (const entry of list as unknown[]) {
    if (!isFields(entry) || typeof entry.name !== 'string') continue;
    const inner = entry[key];
    entries.set(entry.name, isFields(inner) ? inner : {});
  }
  return entries;
}

/** `<field>-data` (base64 PEM) or `<field>` (a PEM file). */
function pem(fields: Fields, field: string, file: (path: string) => string): string | undefined {
  const data = text(fields[`${field}-data`]);
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  const path = text(fields[field]);
  return path === undefined ? undefined : file(path);
}
