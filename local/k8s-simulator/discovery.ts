import { type Group, RESOURCES, type ResourceType } from './resources';

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

const groupDocument = (name: 'apps' | 'batch') => ({
  name,
  versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
  preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
});

/**
 * Subresources, listed beside their resource. kubectl finds the Scale kind of
 * `kubectl scale` here, and `pods/log` tells it logs are served.
 */
const SUBRESOURCES: { group: Group; name: string; kind: string; verbs: string[]; kindGroup?: string; kindVersion?: string }[] = [
  { group: 'apps', name: 'deployments/scale', kind: 'Scale', verbs: ['get', 'patch', 'update'], kindGroup: 'autoscaling', kindVersion: 'v1' },
  { group: '', name: 'pods/log', kind: 'Pod', verbs: ['get'] },
];

function resourceList(group: Group) {
  const types = Object.values(RESOURCES).filter((t) => t.group === group);
  const resources: Record<string, unknown>[] = types.map((t: ResourceType) => ({
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
    shortNames: t.shortNames,
    ...(t.categories ? { categories: t.categories } : {}),
  }));
  for (const sub of SUBRESOURCES.filter((s) => s.group === group)) {
    resources.push({
      name: sub.name,
      singularName: '',
      namespaced: true,
      ...(sub.kindGroup ? { group: sub.kindGroup, version: sub.kindVersion } : {}),
      kind: sub.kind,
      verbs: sub.verbs,
    });
  }
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
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: [groupDocument('apps'), groupDocument('batch')] };
    case '/apis/apps':
      return { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument('apps') };
    case '/apis/apps/v1':
      return resourceList('apps');
    case '/apis/batch':
      return { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument('batch') };
    case '/apis/batch/v1':
      return resourceList('batch');
    default:
      return undefined;
  }
}
