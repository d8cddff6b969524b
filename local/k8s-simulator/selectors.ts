import type { KubeObject, LabelSelector } from './resources';
import { badRequest } from './status';

/**
 * Label and field selectors of list and watch requests (`labelSelector=`,
 * `fieldSelector=`). Label selectors support `k=v`, `k==v`, `k!=v`, `k`, `!k`,
 * `k in (a,b)` and `k notin (a,b)`; field selectors `path=v`, `path==v` and
 * `path!=v` on any dotted field path (`metadata.name`,
 * `involvedObject.uid`, `status.phase`…), where a missing field reads as ''.
 */
export type Selector = (object: KubeObject) => boolean;

const everything: Selector = () => true;

/** Splits on commas outside parentheses (`a in (x,y),b` → two terms). */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  out.push(current.trim());
  return out.filter((t) => t !== '');
}

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const SET_TERM = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s+\(([^)]*)\)$`);
const EQUALITY_TERM = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*([^=!]*)$`);
const EXISTS_TERM = new RegExp(String.raw`^(!?)(${KEY})$`);

export function parseLabelSelector(text: string | null): Selector {
  if (!text) return everything;
  const checks = terms(text).map((term): ((labels: Record<string, string>) => boolean) => {
    const set = SET_TERM.exec(term);
    if (set) {
      const [, key = '', op, list = ''] = set;
      const values = list.split(',').map((v) => v.trim());
      return op === 'in' ? (l) => key in l && values.includes(l[key]!) : (l) => !(key in l) || !values.includes(l[key]!);
    }
    const equality = EQUALITY_TERM.exec(term);
    if (equality) {
      const [, key = '', op, value = ''] = equality;
      return op === '!=' ? (l) => l[key] !== value.trim() : (l) => l[key] === value.trim();
    }
    const exists = EXISTS_TERM.exec(term);
    if (exists) {
      const [, not, key = ''] = exists;
      return not ? (l) => !(key in l) : (l) => key in l;
    }
    throw badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return checks.every((check) => check(labels));
  };
}

function fieldValue(object: unknown, path: string): string {
  let value: unknown = object;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value === undefined || value === null ? '' : String(value);
}

export function parseFieldSelector(text: string | null): Selector {
  if (!text) return everything;
  const checks = terms(text).map((term): Selector => {
    const match = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const [, path = '', op, value = ''] = match;
    return op === '!=' ? (o) => fieldValue(o, path) !== value : (o) => fieldValue(o, path) === value;
  });
  return (object) => checks.every((check) => check(object));
}

/** Both selectors of a request. */
export function selectorsOf(params: URLSearchParams): Selector {
  const labels = parseLabelSelector(params.get('labelSelector'));
  const fields = parseFieldSelector(params.get('fieldSelector'));
  return (object) => labels(object) && fields(object);
}

/** A LabelSelector object as its string form (`app=web,tier in (a,b)`), as tables and the Scale status show it. */
export function selectorString(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(',')})`;
    if (e.operator === 'In') parts.push(`${e.key} in ${values}`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin ${values}`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
