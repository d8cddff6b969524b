import { RESOURCES, type ResourceType } from './resources';

/**
 * Legacy (non-aggregated) discovery documents: what kubectl and client-go ask
 * for before their first real request. Newer clients ask for aggregated
 * discovery first and fall back to these when the answer is plain JSON.
 */

const VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0-gatekeeper-simulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-01-01T00:00:00Z',
  goVersion: 'go1.22.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const APPS_GROUP = {
  name: 'apps',
  versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
  preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
};

function resourceList(group: '' | 'apps') {
  const types = Object.values(RESOURCES).filter((t) => t.group === group);
  const resources = types.map((t: ResourceType) => ({
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
    shortNames: t.shortNames,
  }));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources };
}

/** The discovery document served at `path`, or undefined when `path` is not a discovery path. */
export function discovery(path: string, serverAddress: string): unknown {
  switch (path) {
    case '/version':
      return VERSION;
    case '/api':
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
    case '/api/v1':
      return resourceList('');
    case '/apis':
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: [APPS_GROUP] };
    case '/apis/apps':
      return { kind: 'APIGroup', apiVersion: 'v1', ...APPS_GROUP };
    case '/apis/apps/v1':
      return resourceList('apps');
    default:
      return undefined;
  }
}
