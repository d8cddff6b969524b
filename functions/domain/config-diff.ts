import { canonicalize } from './audit-chain';
import type { AppConfig, EnvValue, ResourceAmounts } from './config';

/**
 * What approvers read: a configuration as sorted `path = value` lines, diffs
 * between two of them, and the three-way merge used to rebase a stale draft.
 */

/** One field of a configuration; a configMap value is one leaf however many lines it has. */
type Leaf =
  | { kind: 'replicas'; value: number }
  | { kind: 'env'; name: string; value: EnvValue }
  | { kind: 'resource'; section: 'requests' | 'limits'; resource: 'cpu' | 'memory'; value: string }
  | { kind: 'configMap'; key: string; value: string };

const SECTIONS = ['requests', 'limits'] as const;
const RESOURCES = ['cpu', 'memory'] as const;
const KIND_ORDER = { replicas: 0, env: 1, resource: 2, configMap: 3 } as const;
// Code-unit order, not localeCompare: the same lines on every machine.
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function leaves(config: AppConfig): Leaf[] {
  const out: Leaf[] = [];
  if (config.replicas !== undefined) out.push({ kind: 'replicas', value: config.replicas });
  for (const [name, value] of Object.entries(config.env ?? {})) out.push({ kind: 'env', name, value });
  for (const section of SECTIONS) {
    for (const resource of RESOURCES) {
      const value = config.resources?.[section]?.[resource];
      if (value !== undefined) out.push({ kind: 'resource', section, resource, value });
    }
  }
  for (const [key, value] of Object.entries(config.configMap ?? {})) out.push({ kind: 'configMap', key, value });
  return out.sort(compareLeaves);
}

function sortKey(leaf: Leaf): string {
  switch (leaf.kind) {
    case 'replicas':
      return '';
    case 'env':
      return leaf.name;
    case 'resource':
      // requests before limits, cpu before memory: the order a manifest lists them.
      return `${SECTIONS.indexOf(leaf.section)}${RESOURCES.indexOf(leaf.resource)}`;
    case 'configMap':
      return leaf.key;
  }
}

function compareLeaves(a: Leaf, b: Leaf): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byCodeUnit(sortKey(a), sortKey(b));
}

function leafPath(leaf: Leaf): string {
  switch (leaf.kind) {
    case 'replicas':
      return 'replicas';
    case 'env':
      return `env.${leaf.name}`;
    case 'resource':
      return `resources.${leaf.section}.${leaf.resource}`;
    case 'configMap':
      return `configMap[${JSON.stringify(leaf.key)}]`;
  }
}

function renderValue(value: EnvValue | number): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return `secretRef(${value.secretRef.name}/${value.secretRef.key})`;
}

const isMultiLine = (leaf: Leaf | undefined): boolean => leaf?.kind === 'configMap' && textLines(leaf.value).length > 1;

const lineBreakAtEnd = (value: string): string => (value.endsWith('\n') ? 'line break at end' : 'no line break at end');

/** A file's lines: a final line break ends the last line, it does not start an empty one. */
const textLines = (value: string): string[] => (value.endsWith('\n') ? value.slice(0, -1) : value).split('\n');

/** A multi-line configMap value becomes one line per text line, suffixed `:n`, so a diff points at the changed line. */
function flattenLeaf(leaf: Leaf, numbered = isMultiLine(leaf)): Array<[string, string]> {
  const path = leafPath(leaf);
  if (leaf.kind === 'configMap' && numbered) return textLines(leaf.value).map((line, i) => [`${path}:${i + 1}`, JSON.stringify(line)]);
  return [[path, renderValue(leaf.value)]];
}

/** Sorted `path = value` pairs, e.g. ['env.LOG_LEVEL', '"debug"'] or ['env.DB_PASSWORD', 'secretRef(db/password)']. */
export function flattenConfig(config: AppConfig): Array<[path: string, value: string]> {
  return leaves(config).flatMap((leaf) => flattenLeaf(leaf));
}

export interface DiffLine {
  kind: 'added' | 'removed' | 'changed' | 'same';
  path: string;
  before?: string;
  after?: string;
}

/** Field by field, and line by line inside multi-line configMap values; 'same' lines only with `context`. */
export function diffConfig(before: AppConfig, after: AppConfig, options: { context?: boolean } = {}): DiffLine[] {
  const context = options.context ?? false;
  const old = byPath(leaves(before));
  const next = byPath(leaves(after));
  const out: DiffLine[] = [];
  for (const path of unionPaths(old, next)) {
    const a = old.get(path);
    const b = next.get(path);
    if (a?.kind === 'configMap' && b?.kind === 'configMap' && (isMultiLine(a) || isMultiLine(b))) {
      const lines = diffLines(path, textLines(a.value), textLines(b.value), context);
      // Only the final line break differs: say so rather than show an empty change.
      const endsDiffer = a.value !== b.value && !lines.some((line) => line.kind !== 'same');
      out.push(...lines, ...(endsDiffer ? [{ kind: 'changed' as const, path: `${path}:end`, before: lineBreakAtEnd(a.value), after: lineBreakAtEnd(b.value) }] : []));
    } else if (a && b) {
      const [[, x = ''] = []] = flattenLeaf(a);
      const [[, y = ''] = []] = flattenLeaf(b);
      if (x !== y) out.push({ kind: 'changed', path, before: x, after: y });
      else if (context) out.push({ kind: 'same', path, before: x, after: y });
    } else if (a) {
      out.push(...flattenLeaf(a).map(([p, value]): DiffLine => ({ kind: 'removed', path: p, before: value })));
    } else if (b) {
      out.push(...flattenLeaf(b).map(([p, value]): DiffLine => ({ kind: 'added', path: p, after: value })));
    }
  }
  return out;
}

function byPath(list: Leaf[]): Map<string, Leaf> {
  return new Map(list.map((leaf) => [leafPath(leaf), leaf]));
}

function unionPaths(...maps: Array<Map<string, Leaf>>): string[] {
  const all = new Map<string, Leaf>();
  for (const map of maps) for (const [path, leaf] of map) all.set(path, leaf);
  return [...all.values()].sort(compareLeaves).map(leafPath);
}

// Beyond this many LCS cells, pair lines by position instead: still correct, just less minimal.
const MAX_LCS_CELLS = 1_000_000;

/**
 * Line diff of one configMap value. Common head and tail are skipped; the
 * middle is aligned by longest common subsequence so an inserted line shows as
 * one addition rather than every later line changing. Removed lines carry their
 * old line number, the others their new one.
 */
function diffLines(path: string, a: string[], b: string[], context: boolean): DiffLine[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops = [...'='.repeat(head), ...alignMiddle(a.slice(head, a.length - tail), b.slice(head, b.length - tail)), ...'='.repeat(tail)];
  const out: DiffLine[] = [];
  const quote = (line: string | undefined) => JSON.stringify(line ?? '');
  let i = 0;
  let j = 0;
  for (let k = 0; k < ops.length; ) {
    if (ops[k] === '=') {
      if (context) out.push({ kind: 'same', path: `${path}:${j + 1}`, before: quote(a[i]), after: quote(b[j]) });
      i++;
      j++;
      k++;
      continue;
    }
    let removed = 0;
    let added = 0;
    for (; k < ops.length && ops[k] !== '='; k++) {
      if (ops[k] === '-') removed++;
      else added++;
    }
    const paired = Math.min(removed, added);
    for (let t = 0; t < paired; t++) out.push({ kind: 'changed', path: `${path}:${j + t + 1}`, before: quote(a[i + t]), after: quote(b[j + t]) });
    for (let t = paired; t < removed; t++) out.push({ kind: 'removed', path: `${path}:${i + t + 1}`, before: quote(a[i + t]) });
    for (let t = paired; t < added; t++) out.push({ kind: 'added', path: `${path}:${j + t + 1}`, after: quote(b[j + t]) });
    i += removed;
    j += added;
  }
  return out;
}

/** '=' keep, '-' drop from a, '+' take from b. */
function alignMiddle(a: string[], b: string[]): string[] {
  if (a.length * b.length > MAX_LCS_CELLS) return [...'-'.repeat(a.length), ...'+'.repeat(b.length)];
  const width = b.length + 1;
  // lcs[i*width + j] = length of the longest common subsequence of a[i..] and b[j..].
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const ops: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push('=');
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0)) {
      ops.push('-');
      i++;
    } else {
      ops.push('+');
      j++;
    }
  }
  return [...ops, ...'-'.repeat(a.length - i), ...'+'.repeat(b.length - j)];
}

/** Unified-diff style text: '- path = before', '+ path = after', '  path = value'. */
export function renderDiff(lines: DiffLine[]): string {
  return lines
    .flatMap((line) => {
      switch (line.kind) {
        case 'same':
          return [`  ${line.path} = ${line.after}`];
        case 'removed':
          return [`- ${line.path} = ${line.before}`];
        case 'added':
          return [`+ ${line.path} = ${line.after}`];
        case 'changed':
          return [`- ${line.path} = ${line.before}`, `+ ${line.path} = ${line.after}`];
      }
    })
    .join('\n');
}

export interface ThreeWay {
  base: AppConfig;
  mine: AppConfig;
  theirs: AppConfig;
  /** Paths both sides changed to different values (a removal counts as a change). */
  conflicts: string[];
  /** Theirs plus my changes; absent when there are conflicts. */
  merged?: AppConfig;
}

/**
 * Rebases a draft (`mine`, edited from `base`) onto the configuration that
 * meanwhile replaced it (`theirs`). Fields are the unit: a configMap value is
 * merged whole, never line by line, so two edits to one file always reach a
 * human instead of producing a text that nobody reviewed.
 */
export function threeWay(base: AppConfig, mine: AppConfig, theirs: AppConfig): ThreeWay {
  const [b, m, t] = [byPath(leaves(base)), byPath(leaves(mine)), byPath(leaves(theirs))];
  const conflicts: string[] = [];
  const merged: Leaf[] = [];
  for (const path of unionPaths(b, m, t)) {
    const [original, ours, their] = [b.get(path), m.get(path), t.get(path)];
    let pick: Leaf | undefined;
    if (sameLeaf(original, ours)) pick = their;
    else if (sameLeaf(original, their) || sameLeaf(ours, their)) pick = ours;
    else {
      conflicts.push(path);
      continue;
    }
    if (pick) merged.push(pick);
  }
  return conflicts.length > 0 ? { base, mine, theirs, conflicts } : { base, mine, theirs, conflicts, merged: fromLeaves(merged) };
}

function sameLeaf(a: Leaf | undefined, b: Leaf | undefined): boolean {
  return a === undefined || b === undefined ? a === b : canonicalize(a.value) === canonicalize(b.value);
}

function fromLeaves(list: Leaf[]): AppConfig {
  const config: AppConfig = {};
  const env: Array<[string, EnvValue]> = [];
  const configMap: Array<[string, string]> = [];
  const resources: Partial<Record<'requests' | 'limits', ResourceAmounts>> = {};
  for (const leaf of list) {
    if (leaf.kind === 'replicas') config.replicas = leaf.value;
    else if (leaf.kind === 'env') env.push([leaf.name, leaf.value]);
    else if (leaf.kind === 'configMap') configMap.push([leaf.key, leaf.value]);
    else resources[leaf.section] = { ...resources[leaf.section], [leaf.resource]: leaf.value };
  }
  // fromEntries, not assignment, so a key like __proto__ stays plain data.
  if (env.length > 0) config.env = Object.fromEntries(env);
  if (resources.requests || resources.limits) config.resources = resources;
  if (configMap.length > 0) config.configMap = Object.fromEntries(configMap);
  return config;
}
