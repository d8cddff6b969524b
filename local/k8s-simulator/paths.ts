/**
 * A REST path of the API: `/api/v1/…` (core group) or `/apis/{group}/v1/…`,
 * optionally `watch/` (the deprecated watch prefix), optionally
 * `namespaces/{ns}/`, then `{plural}[/{name}[/{subresource}]]`.
 * `/api/v1/namespaces/{name}` is the Namespace `name` itself.
 */
export interface ApiPath {
  group: string;
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
  /** The path had the `watch/` prefix. */
  watch: boolean;
}

export function parseApiPath(pathname: string): ApiPath | undefined {
  let segments: string[];
  try {
    segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined; // malformed percent-encoding: no such resource
  }
  let group: string;
  let rest: string[];
  if (segments[0] === 'api' && segments[1] === 'v1') {
    group = '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 3 && segments[2] === 'v1') {
    group = segments[1]!;
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  const watch = rest[0] === 'watch';
  if (watch) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (plural === undefined || extra.length > 0) return undefined;
  return { group, namespace, plural, name, subresource, watch };
}
