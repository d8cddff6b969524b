import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors';
import { isName } from '../../functions/domain/names';
import { buildPipeline, MAX_ENVIRONMENTS, type Pipeline, type PipelineNode } from '../../functions/domain/pipeline';
import {
  blockedBy,
  isUnsuccessfulEnding,
  readyToStart,
  releaseOutcome,
  type PipelineStageState,
  type UnsuccessfulEnding,
} from '../../functions/domain/pipeline-progress';

const RUNS = { numRuns: 300 };

const nameArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,11}$/).filter(isName);

/**
 * A random DAG: each environment follows a random set of the ones generated
 * before it, so there is never a cycle; then the list (and each `after`) is
 * shuffled so buildPipeline cannot rely on the generation order.
 */
const dagArb = fc
  .uniqueArray(nameArb, { minLength: 1, maxLength: MAX_ENVIRONMENTS })
  .chain((names) => fc.tuple(...names.map((name, i) => fc.shuffledSubarray(names.slice(0, i)).map((after): PipelineNode => ({ name, after })))))
  .chain((nodes) => fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length }));

/** Oracles computed from the definition alone, independent of the module. */
function followersOf(nodes: readonly PipelineNode[]): Map<string, string[]> {
  const followers = new Map<string, string[]>(nodes.map((node) => [node.name, []]));
  for (const node of nodes) for (const before of node.after) followers.get(before)?.push(node.name);
  return followers;
}

function reachable(from: string, edges: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(from) ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return seen;
}

const ancestorsOf = (name: string, nodes: readonly PipelineNode[]) => reachable(name, new Map(nodes.map((node) => [node.name, node.after])));
const descendantsOf = (name: string, nodes: readonly PipelineNode[]) => reachable(name, followersOf(nodes));

const shape = (pipeline: Pipeline) => ({
  order: pipeline.order,
  waves: pipeline.waves,
  predecessors: [...pipeline.predecessors],
  successors: [...pipeline.successors],
});

describe('buildPipeline (properties)', () => {
  it('(a) accepts every DAG, and its order puts each environment after all it follows', () => {
    fc.assert(
      fc.property(dagArb, (nodes) => {
        const pipeline = buildPipeline(nodes);
        expect([...pipeline.order].sort()).toEqual(nodes.map((node) => node.name).sort());
        const position = new Map(pipeline.order.map((name, i) => [name, i]));
        const wave = new Map(pipeline.waves.flatMap((names, level) => names.map((name) => [name, level] as const)));
        for (const node of nodes) {
          expect([...(pipeline.predecessors.get(node.name) ?? [])].sort()).toEqual([...node.after].sort());
          for (const before of node.after) {
            expect(position.get(before)).toBeLessThan(position.get(node.name) ?? -1);
            expect(pipeline.successors.get(before)).toContain(node.name);
          }
          // Each environment runs in the wave right after the latest one it follows.
          const latest = Math.max(-1, ...node.after.map((before) => wave.get(before) ?? Infinity));
          expect(wave.get(node.name)).toBe(latest + 1);
        }
      }),
      RUNS,
    );
  });

  it('(b) the same environments in any order make the same pipeline', () => {
    const reorderedArb = dagArb.chain((nodes) =>
      fc.tuple(fc.constant(nodes), fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length })),
    );
    fc.assert(
      fc.property(reorderedArb, ([nodes, reordered]) => {
        expect(shape(buildPipeline(reordered))).toEqual(shape(buildPipeline(nodes)));
      }),
      RUNS,
    );
  });

  it('(c) refuses a DAG with a back edge, naming a cycle that is really there', () => {
    fc.assert(
      fc.property(dagArb, fc.nat(), fc.nat(), (nodes, pickFollower, pickAncestor) => {
        const withAncestors = nodes.filter((node) => node.after.length > 0);
        fc.pre(withAncestors.length > 0);
        const follower = withAncestors[pickFollower % withAncestors.length] as PipelineNode;
        const ancestors = [...ancestorsOf(follower.name, nodes)];
        const ancestor = ancestors[pickAncestor % ancestors.length] as string;
        // The ancestor now also follows its descendant: ancestor → … → follower → ancestor.
        const cyclic = nodes.map((node) => (node.name === ancestor ? { name: node.name, after: [...node.after, follower.name] } : node));

        let refused: unknown;
        try {
          buildPipeline(cyclic);
        } catch (error) {
          refused = error;
        }
        expect(refused).toBeInstanceOf(ValidationError);
        const cycle = /([a-z0-9-]+(?: → [a-z0-9-]+)+)/.exec((refused as Error).message)?.[1]?.split(' → ') ?? [];
        expect(cycle.length).toBeGreaterThanOrEqual(3);
        expect(cycle.at(-1)).toBe(cycle[0]);
        const byName = new Map(cyclic.map((node) => [node.name, node]));
        for (let i = 1; i < cycle.length; i++) expect(byName.get(cycle[i] as string)?.after).toContain(cycle[i - 1]);
      }),
      RUNS,
    );
  });
});

const UNSUCCESSFUL: readonly UnsuccessfulEnding[] = ['failed', 'rolled_back', 'rejected', 'expired', 'cancelled', 'superseded', 'skipped'];
/** Mostly successes, so runs get deep into the pipeline. */
const endingArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant<PipelineStageState>('succeeded') },
  { weight: 1, arbitrary: fc.constantFrom<PipelineStageState>(...UNSUCCESSFUL) },
);
const stepArb = fc.record({ finish: fc.boolean(), pick: fc.nat(), gated: fc.boolean(), ending: endingArb });
/** Every environment takes at most two steps: start and finish. */
const runArb = fc.record({ nodes: dagArb, steps: fc.array(stepArb, { minLength: 2 * MAX_ENVIRONMENTS, maxLength: 2 * MAX_ENVIRONMENTS }) });

/** The precedence documented in pipeline-progress.ts, restated as the oracle. */
const RANKED: ReadonlyArray<[UnsuccessfulEnding, string]> = [
  ['failed', 'failed'],
  ['rolled_back', 'failed'],
  ['rejected', 'rejected'],
  ['expired', 'expired'],
  ['superseded', 'superseded'],
  ['cancelled', 'cancelled'],
  ['skipped', 'cancelled'],
];
function expectedStatus(endings: readonly PipelineStageState[]): string {
  if (endings.every((state) => state === 'succeeded')) return 'succeeded';
  let best = RANKED.length;
  for (const state of endings) {
    const rank = RANKED.findIndex(([ending]) => ending === state);
    if (rank >= 0) best = Math.min(best, rank);
  }
  return RANKED[best]?.[1] ?? 'no unsuccessful ending';
}

describe('pipeline progress (simulated releases)', () => {
  it('(d) starts nothing early, blocks what follows a bad ending, settles, and succeeds only if everything did', () => {
    fc.assert(
      fc.property(runArb, ({ nodes, steps }) => {
        const pipeline = buildPipeline(nodes);
        const byName = new Map(nodes.map((node) => [node.name, node]));
        const states: Record<string, PipelineStageState> = {};
        const inFlight = () => nodes.map((node) => node.name).filter((name) => states[name] === 'running' || states[name] === 'waiting_for_approval');

        let settled = false;
        for (const step of steps) {
          const ready = readyToStart(pipeline, states);
          const busy = inFlight();
          if (ready.length === 0 && busy.length === 0) {
            settled = true;
            break;
          }
          expect(releaseOutcome(pipeline, states).settled).toBe(false);
          if (busy.length > 0 && (step.finish || ready.length === 0)) {
            states[busy[step.pick % busy.length] as string] = step.ending;
            continue;
          }
          const starting = ready[step.pick % ready.length] as string;
          // Checked against the definition, not against what the module derived from it.
          for (const before of byName.get(starting)?.after ?? []) expect(states[before]).toBe('succeeded');
          states[starting] = step.gated ? 'waiting_for_approval' : 'running';
          expect(releaseOutcome(pipeline, states).status).toMatch(/^(running|waiting_for_approval)$/);
        }
        settled ||= readyToStart(pipeline, states).length === 0 && inFlight().length === 0;
        expect(settled).toBe(true);

        const outcome = releaseOutcome(pipeline, states);
        const everyState = nodes.map((node) => states[node.name] ?? 'pending');
        expect(outcome.settled).toBe(true);
        expect(outcome.status === 'succeeded').toBe(everyState.every((state) => state === 'succeeded'));
        expect(outcome.status).toBe(expectedStatus(everyState));

        // What never started is exactly what is blocked, and each is blocked by a real unsuccessful ancestor.
        const blocked = blockedBy(pipeline, states);
        const neverStarted = nodes.map((node) => node.name).filter((name) => states[name] === undefined);
        expect(blocked.map((b) => b.environment).sort()).toEqual(neverStarted.sort());
        for (const { environment, causes, reason } of blocked) {
          expect(causes.length).toBeGreaterThan(0);
          for (const cause of causes) {
            expect(ancestorsOf(environment, nodes).has(cause)).toBe(true);
            expect(isUnsuccessfulEnding(states[cause] ?? 'pending')).toBe(true);
            expect(reason).toContain(`"${cause}"`);
          }
        }

        // An unsuccessful ending never lets anything after it start.
        for (const node of nodes) {
          if (!isUnsuccessfulEnding(states[node.name] ?? 'pending')) continue;
          for (const descendant of descendantsOf(node.name, nodes)) expect(states[descendant]).toBeUndefined();
        }

        // Cancelling the blocked environments, as the orchestrator will, changes nothing.
        for (const { environment } of blocked) states[environment] = 'cancelled';
        expect(releaseOutcome(pipeline, states)).toEqual(outcome);
        expect(blockedBy(pipeline, states)).toEqual([]);
      }),
      RUNS,
    );
  });
});
