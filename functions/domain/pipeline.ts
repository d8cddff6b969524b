import { ValidationError } from './errors';
import { parseName, preview } from './names';

/**
 * The pipeline of an app: its environments as a directed acyclic graph. Each
 * environment names the environments it follows (`after`), and a release
 * deploys it once all of those succeeded. Environments that follow the same
 * ones run in parallel (`staging → prod-eu` and `staging → prod-us`); a plain
 * chain (`qa → staging → prod`) is the special case of one predecessor each.
 *
 * What a release may do next with a pipeline is in pipeline-progress.ts.
 */

/** One environment as an app definition states it. */
export interface PipelineNode {
  name: string;
  /** The environments that must succeed before this one starts; empty for those that start the pipeline. */
  after: string[];
}

/** Only buildPipeline makes one, so the readiness rules can trust the graph is valid. */
declare const validated: unique symbol;

/** A validated pipeline. Its arrays are frozen; its maps are read-only by type. */
export interface Pipeline {
  readonly [validated]: true;
  /** The environments as they were defined. */
  readonly nodes: ReadonlyMap<string, { readonly name: string; readonly after: readonly string[] }>;
  /** What each environment follows, in `order`. */
  readonly predecessors: ReadonlyMap<string, readonly string[]>;
  /** What follows each environment, in `order`. */
  readonly successors: ReadonlyMap<string, readonly string[]>;
  /** Every environment once, each after all it follows: wave by wave, then by name. */
  readonly order: readonly string[];
  /**
   * `waves[0]` start the pipeline; every other environment is in the wave
   * after the latest of those it follows, so one wave's environments can run
   * side by side once the earlier waves succeeded.
   */
  readonly waves: readonly (readonly string[])[];
}

/** Keeps the approval fan-out, the state machine and the release page readable. */
export const MAX_ENVIRONMENTS = 20;

/**
 * The pipeline, or a ValidationError saying which environment (by name and
 * position in the list) is wrong and why. The same environments in any
 * order make the same pipeline.
 */
export function buildPipeline(nodes: readonly PipelineNode[]): Pipeline {
  checkSize(nodes);
  const byName = indexByName(nodes);
  nodes.forEach((node, i) => checkAfter(node, i, byName));
  const successors = successorsOf(nodes);
  checkAcyclic([...byName.keys()].sort(compareNames), successors, nodes);
  const waves = wavesOf(byName);
  const order = waves.flat();
  const position = new Map(order.map((name, i) => [name, i]));
  const inOrder = (names: Iterable<string>) => Object.freeze([...names].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0)));
  const pipeline = {
    nodes: new Map(nodes.map((node) => [node.name, Object.freeze({ name: node.name, after: Object.freeze([...node.after]) })])),
    predecessors: new Map(order.map((name) => [name, inOrder(byName.get(name)?.after ?? [])])),
    successors: new Map(order.map((name) => [name, inOrder(successors.get(name) ?? [])])),
    order: Object.freeze(order),
    waves: Object.freeze(waves.map((wave) => Object.freeze(wave))),
  };
  // The brand exists only in the type: this is the one place that may claim it.
  return Object.freeze(pipeline) as unknown as Pipeline;
}

/**
 * Apps stored before pipelines had no `after`: their environments deploy one
 * after the other by `order` (staging, then production). This is that chain.
 */
export function fromLegacyOrder(environments: ReadonlyArray<{ name: string; order: number }>): Pipeline {
  const invalid = environments.find((env) => !Number.isFinite(env.order));
  if (invalid) throw new ValidationError(`environment ${preview(invalid.name)} has no valid order (got ${String(invalid.order)}), so its place in the chain is unknown`);
  const sorted = [...environments].sort((a, b) => a.order - b.order);
  const chain: PipelineNode[] = [];
  sorted.forEach((env, i) => {
    const previous = sorted[i - 1];
    // Equal orders would make which one deploys first depend on how they happen to be stored.
    if (previous && previous.order === env.order) {
      throw new ValidationError(`environments ${preview(previous.name)} and ${preview(env.name)} both have order ${env.order}, so which deploys first is ambiguous`);
    }
    chain.push({ name: env.name, after: previous ? [previous.name] : [] });
  });
  return buildPipeline(chain);
}

function checkSize(nodes: readonly PipelineNode[]): void {
  if (nodes.length === 0) throw new ValidationError('a pipeline needs at least one environment');
  if (nodes.length > MAX_ENVIRONMENTS) {
    throw new ValidationError(`a pipeline has at most ${MAX_ENVIRONMENTS} environments, this one has ${nodes.length}`);
  }
}

/** Each node by its name, refusing invalid and repeated names. */
function indexByName(nodes: readonly PipelineNode[]): Map<string, PipelineNode> {
  const byName = new Map<string, PipelineNode>();
  const firstAt = new Map<string, number>();
  nodes.forEach((node, i) => {
    const name = parseName(node.name, `environments[${i}].name`);
    const earlier = firstAt.get(name);
    if (earlier !== undefined) throw new ValidationError(`environments[${earlier}] and environments[${i}] are both named "${name}"; names must be unique`);
    firstAt.set(name, i);
    byName.set(name, node);
  });
  return byName;
}

/** `after` lists other environments of the pipeline, each once. */
function checkAfter(node: PipelineNode, i: number, byName: ReadonlyMap<string, PipelineNode>): void {
  const where = `environments[${i}].after`;
  // Stored definitions are JSON: the type alone does not make `after` a list.
  if (!Array.isArray(node.after)) throw new ValidationError(`${where} ("${node.name}") must be a list of environment names`);
  const seen = new Set<string>();
  node.after.forEach((predecessor: unknown, j) => {
    if (predecessor === node.name) throw new ValidationError(`${where}[${j}]: "${node.name}" cannot follow itself`);
    if (typeof predecessor !== 'string' || !byName.has(predecessor)) {
      const known = [...byName.keys()].join(', ');
      throw new ValidationError(`${where}[${j}]: "${node.name}" follows ${preview(predecessor)}, which is not one of this app's environments (${known})`);
    }
    if (seen.has(predecessor)) throw new ValidationError(`${where} of "${node.name}" lists "${predecessor}" twice`);
    seen.add(predecessor);
  });
}

function successorsOf(nodes: readonly PipelineNode[]): Map<string, string[]> {
  const successors = new Map<string, string[]>(nodes.map((node) => [node.name, []]));
  for (const node of nodes) {
    for (const predecessor of node.after) successors.get(predecessor)?.push(node.name);
  }
  for (const list of successors.values()) list.sort(compareNames);
  return successors;
}

/**
 * A cycle is named in the direction releases flow, from its first name in
 * code-unit order, so the same definition always gets the same message.
 */
function checkAcyclic(names: readonly string[], successors: ReadonlyMap<string, readonly string[]>, nodes: readonly PipelineNode[]): void {
  const cycle = findCycle(names, successors);
  if (!cycle) return;
  const shown = cycle.join(' → ');
  // Without a cycle some environment always follows nothing; without a root there is always a cycle to show.
  if (nodes.every((node) => node.after.length > 0)) {
    throw new ValidationError(`no environment starts the pipeline: every one follows another, and ${shown} is a cycle`);
  }
  throw new ValidationError(`environments follow each other in a cycle: ${shown}; remove one of these "after" entries`);
}

/** A cycle as `[a, b, c, a]`, or undefined. Depth-first; the size limit bounds the recursion. */
function findCycle(names: readonly string[], successors: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const finished = new Set<string>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const onPath = path.indexOf(name);
    if (onPath >= 0) return rotateToFirstName(path.slice(onPath));
    if (finished.has(name)) return undefined;
    path.push(name);
    for (const next of successors.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    finished.add(name);
    return undefined;
  };
  for (const name of names) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** `[c, a, b]` (c → a → b → c) becomes `[a, b, c, a]`. */
function rotateToFirstName(ring: readonly string[]): string[] {
  const first = [...ring].sort(compareNames)[0];
  const start = first === undefined ? 0 : ring.indexOf(first);
  const rotated = [...ring.slice(start), ...ring.slice(0, start)];
  return [...rotated, ...rotated.slice(0, 1)];
}

/** Environments grouped by their longest distance from a root; requires an acyclic graph. */
function wavesOf(byName: ReadonlyMap<string, PipelineNode>): string[][] {
  const depth = new Map<string, number>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const after = byName.get(name)?.after ?? [];
    const own = after.length === 0 ? 0 : 1 + Math.max(...after.map(depthOf));
    depth.set(name, own);
    return own;
  };
  const waves: string[][] = [];
  for (const name of [...byName.keys()].sort(compareNames)) {
    const level = depthOf(name);
    while (waves.length <= level) waves.push([]);
    waves[level]?.push(name);
  }
  return waves;
}

/** Code-unit order, not localeCompare: the same order on every machine. */
const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
