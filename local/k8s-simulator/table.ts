import type { KubeObject, ResourceType } from './resources';
import { badRequest } from './status';
import { COLUMNS } from './table-columns';

/**
 * Server-side printing: kubectl asks for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`
 * and prints the answer's columns as they come, so the simulator renders the
 * same meta.k8s.io Table the API server does (`includeObject=None|Metadata|Object`,
 * default Metadata: a PartialObjectMetadata per row, which kubectl reads for the
 * NAMESPACE column of `-A`).
 */

export interface TableRequest {
  /** meta.k8s.io/v1 or meta.k8s.io/v1beta1, whichever the client listed first. */
  apiVersion: string;
  includeObject: 'None' | 'Metadata' | 'Object';
}

/** The Table the request's Accept header asks for, or undefined when it wants plain objects. */
export function tableRequest(accept: string | undefined, params: URLSearchParams): TableRequest | undefined {
  for (const range of (accept ?? '').split(',')) {
    const [mediaType = '', ...rest] = range.split(';').map((p) => p.trim());
    const p = Object.fromEntries(rest.map((kv) => kv.split('=').map((x) => x.trim()) as [string, string]));
    if (mediaType !== 'application/json' || p.as !== 'Table' || p.g !== 'meta.k8s.io') continue;
    if (p.v !== 'v1' && p.v !== 'v1beta1') continue;
    const includeObject = params.get('includeObject') ?? 'Metadata';
    if (includeObject !== 'None' && includeObject !== 'Metadata' && includeObject !== 'Object') {
      throw badRequest(`includeObject: Unsupported value: ${JSON.stringify(includeObject)}: supported values: "None", "Metadata", "Object"`);
    }
    return { apiVersion: `meta.k8s.io/${p.v}`, includeObject };
  }
  return undefined;
}

/** A Table of `objects` (one row each, in order). */
export function toTable(type: ResourceType, objects: KubeObject[], resourceVersion: string, request: TableRequest): unknown {
  const columns = COLUMNS[type.plural];
  const now = Date.now();
  const since = (from: string | undefined, to?: string) => (from ? humanDuration((to ? Date.parse(to) : now) - Date.parse(from)) : '<unknown>');
  return {
    kind: 'Table',
    apiVersion: request.apiVersion,
    metadata: { resourceVersion },
    columnDefinitions: columns.map(({ name, type: columnType, format, description, priority }) => ({ name, type: columnType, format: format ?? '', description, priority })),
    rows: objects.map((object) => ({
      cells: columns.map((c) => c.cell(object, since)),
      ...(request.includeObject === 'None' ? {} : { object: request.includeObject === 'Object' ? object : partialMetadata(object, request.apiVersion) }),
    })),
  };
}

function partialMetadata(object: KubeObject, apiVersion: string) {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: object.metadata };
}

/**
 * A duration the way kubectl's AGE column shows it: `45s`, `3m20s`, `25m`,
 * `5h12m`, `30h`, `3d4h`, `200d`, `3y10d`, `9y`: two units while the smaller
 * one still matters, one after.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) => (small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`);
  if (minutes < 10) return two(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return two(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return two(days, 'd', hours % 24, 'h');
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (days < 365 * 8) return two(years, 'y', days % 365, 'd');
  return `${years}y`;
}
