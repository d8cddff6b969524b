import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors';
import { buildPipeline, fromLegacyOrder, MAX_ENVIRONMENTS, type Pipeline, type PipelineNode } from '../../functions/domain/pipeline';
import { blockedBy, readyToStart, releaseOutcome, type PipelineStates } from '../../functions/domain/pipeline-progress';

const env = (name: string, ...after: string[]): PipelineNode => ({ name, after });

const chain = [env('qa'), env('staging', 'qa'), env('prod', 'staging')];
const fanOut = [env('staging'), env('prod-us', 'staging'), env('prod-eu', 'staging')];
const diamond = [env('d', 'b', 'c'), env('c', 'a'), env('b', 'a'), env('a')];

/** Lists are plain arrays to compare; maps become records. */
const shape = (pipeline: Pipeline) => ({
  order: pipeline.order,
  waves: pipeline.waves,
  predecessors: Object.fromEntries(pipeline.predecessors),
  successors: Object.fromEntries(pipeline.successors),
});

function refusal(nodes: PipelineNode[]): string {
  try {
    buildPipeline(nodes);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).message;
  }
  throw new Error('expected a ValidationError');
}

describe('buildPipeline', () => {
  it('orders a chain', () => {
    expect(shape(buildPipeline(chain))).toEqual({
      order: ['qa', 'staging', 'prod'],
      waves: [['qa'], ['staging'], ['prod']],
      predecessors: { qa: [], staging: ['qa'], prod: ['staging'] },
      successors: { qa: ['staging'], staging: ['prod'], prod: [] },
    });
  });

  it('runs environments after the same one in one wave, by name', () => {
    expect(shape(buildPipeline(fanOut))).toEqual({
      order: ['staging', 'prod-eu', 'prod-us'],
      waves: [['staging'], ['prod-eu', 'prod-us']],
      predecessors: { staging: [], 'prod-eu': ['staging'], 'prod-us': ['staging'] },
      successors: { staging: ['prod-eu', 'prod-us'], 'prod-eu': [], 'prod-us': [] },
    });
  });

  it('puts the join of a diamond after both branches', () => {
    expect(shape(buildPipeline(diamond))).toEqual({
      order: ['a', 'b', 'c', 'd'],
      waves: [['a'], ['b', 'c'], ['d']],
      predecessors: { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] },
      successors: { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] },
    });
  });

  it('places an environment in the wave after the latest one it follows', () => {
    // prod follows qa directly too, but must still wait for staging.
    const pipeline = buildPipeline([env('prod', 'qa', 'staging'), env('staging', 'qa'), env('qa')]);
    expect(pipeline.waves).toEqual([['qa'], ['staging'], ['prod']]);
  });

  it('keeps the definition and cannot be changed', () => {
    const pipeline = buildPipeline(diamond);
    expect(pipeline.nodes.get('d')).toEqual({ name: 'd', after: ['b', 'c'] });
    expect(Object.isFrozen(pipeline)).toBe(true);
    expect(Object.isFrozen(pipeline.order)).toBe(true);
    expect(Object.isFrozen(pipeline.predecessors.get('d'))).toBe(true);
    expect(Object.isFrozen(pipeline.nodes.get('d')?.after)).toBe(true);
  });

  it('does not share arrays with its input', () => {
    const nodes = [env('staging'), env('prod', 'staging')];
    const pipeline = buildPipeline(nodes);
    nodes[1]?.after.push('other');
    expect(pipeline.nodes.get('prod')?.after).toEqual(['staging']);
  });

  it('allows a single environment and several roots', () => {
    expect(buildPipeline([env('prod')]).order).toEqual(['prod']);
    expect(buildPipeline([env('b'), env('a'), env('c', 'a', 'b')]).waves).toEqual([['a', 'b'], ['c']]);
  });

  it(`allows ${MAX_ENVIRONMENTS} environments`, () => {
    const nodes = Array.from({ length: MAX_ENVIRONMENTS }, (_, i) => env(`e${i}`, ...(i === 0 ? [] : [`e${i - 1}`])));
    expect(buildPipeline(nodes).order).toHaveLength(MAX_ENVIRONMENTS);
  });
});

describe('buildPipeline refuses', () => {
  it('no environments', () => {
    expect(refusal([])).toBe('a pipeline needs at least one environment');
  });

  it(`more than ${MAX_ENVIRONMENTS} environments`, () => {
    const nodes = Array.from({ length: MAX_ENVIRONMENTS + 1 }, (_, i) => env(`e${i}`));
    expect(refusal(nodes)).toBe('a pipeline has at most 20 environments, this one has 21');
  });

  it('names that are not names', () => {
    expect(refusal([env('staging'), env('Prod EU', 'staging')])).toMatch(/^environments\[1\]\.name must be a name \(lowercase letters.*\), got "Prod EU"$/);
    expect(refusal([env('-prod')])).toMatch(/^environments\[0\]\.name must be a name/);
    expect(refusal([env('constructor')])).toMatch(/^environments\[0\]\.name must be a name/);
    expect(refusal([env('a'.repeat(64))])).toMatch(/^environments\[0\]\.name must be a name/);
  });

  it('a name used twice', () => {
    expect(refusal([env('staging'), env('prod', 'staging'), env('prod', 'staging')])).toBe(
      'environments[1] and environments[2] are both named "prod"; names must be unique',
    );
  });

  it('following an environment that does not exist', () => {
    expect(refusal([env('staging'), env('prod', 'stagin')])).toBe(
      'environments[1].after[0]: "prod" follows "stagin", which is not one of this app\'s environments (staging, prod)',
    );
  });

  it('an environment following itself', () => {
    expect(refusal([env('staging'), env('prod', 'staging', 'prod')])).toBe('environments[1].after[1]: "prod" cannot follow itself');
  });

  it('the same predecessor twice', () => {
    expect(refusal([env('staging'), env('prod', 'staging', 'staging')])).toBe('environments[1].after of "prod" lists "staging" twice');
  });

  it('an after that is not a list (stored JSON)', () => {
    const broken = { name: 'prod', after: 'staging' } as unknown as PipelineNode;
    expect(refusal([env('staging'), broken])).toBe('environments[1].after ("prod") must be a list of environment names');
  });

  it('a cycle, named from its first name in the direction releases flow', () => {
    // a → b → c → a, plus a root so the cycle is the only problem.
    expect(refusal([env('root'), env('c', 'b'), env('b', 'a', 'root'), env('a', 'c')])).toBe(
      'environments follow each other in a cycle: a → b → c → a; remove one of these "after" entries',
    );
  });

  it('a pipeline where every environment follows another', () => {
    expect(refusal([env('staging', 'prod'), env('prod', 'staging')])).toBe(
      'no environment starts the pipeline: every one follows another, and prod → staging → prod is a cycle',
    );
  });

  it('names the same cycle whatever order the environments come in', () => {
    const nodes = [env('root'), env('x', 'root', 'z'), env('y', 'x'), env('z', 'y')];
    const messages = new Set([nodes, [...nodes].reverse()].map(refusal));
    expect([...messages]).toEqual(['environments follow each other in a cycle: x → y → z → x; remove one of these "after" entries']);
  });
});

describe('fromLegacyOrder', () => {
  it('chains the two environments of an existing app by order', () => {
    const pipeline = fromLegacyOrder([
      { name: 'production', order: 1 },
      { name: 'staging', order: 0 },
    ]);
    expect(shape(pipeline)).toEqual({
      order: ['staging', 'production'],
      waves: [['staging'], ['production']],
      predecessors: { staging: [], production: ['staging'] },
      successors: { staging: ['production'], production: [] },
    });
  });

  it('chains any number of environments, whatever the gaps in order', () => {
    const pipeline = fromLegacyOrder([
      { name: 'prod', order: 10 },
      { name: 'qa', order: -1 },
      { name: 'staging', order: 3 },
    ]);
    expect(pipeline.order).toEqual(['qa', 'staging', 'prod']);
    expect(pipeline.predecessors.get('prod')).toEqual(['staging']);
  });

  it('refuses equal orders, which would leave the first one to chance', () => {
    expect(() => fromLegacyOrder([{ name: 'a', order: 0 }, { name: 'b', order: 0 }])).toThrow(
      new ValidationError('environments "a" and "b" both have order 0, so which deploys first is ambiguous'),
    );
  });

  it('refuses an order that is not a number', () => {
    expect(() => fromLegacyOrder([{ name: 'a', order: Number.NaN }])).toThrow(ValidationError);
  });

  it('validates the names as buildPipeline does', () => {
    expect(() => fromLegacyOrder([])).toThrow(ValidationError);
    expect(() => fromLegacyOrder([{ name: 'Staging', order: 0 }])).toThrow(/must be a name/);
  });
});

describe('readyToStart', () => {
  const pipeline = buildPipeline(diamond);

  it('starts with the roots', () => {
    expect(readyToStart(pipeline, {})).toEqual(['a']);
    expect(readyToStart(buildPipeline([env('b'), env('a'), env('c', 'a', 'b')]), {})).toEqual(['a', 'b']);
  });

  it('starts both branches once their predecessor succeeded', () => {
    expect(readyToStart(pipeline, { a: 'running' })).toEqual([]);
    expect(readyToStart(pipeline, { a: 'waiting_for_approval' })).toEqual([]);
    expect(readyToStart(pipeline, { a: 'succeeded' })).toEqual(['b', 'c']);
  });

  it('starts the join only when every predecessor succeeded', () => {
    expect(readyToStart(pipeline, { a: 'succeeded', b: 'succeeded', c: 'running' })).toEqual([]);
    expect(readyToStart(pipeline, { a: 'succeeded', b: 'succeeded', c: 'succeeded' })).toEqual(['d']);
  });

  it('never offers an environment that already started or ended', () => {
    expect(readyToStart(pipeline, { a: 'succeeded', b: 'running', c: 'cancelled' })).toEqual([]);
  });

  it('ignores states of environments not in the pipeline', () => {
    expect(readyToStart(pipeline, { elsewhere: 'running' })).toEqual(['a']);
  });
});

describe('blockedBy', () => {
  it('blocks everything downstream of a failure, naming it', () => {
    const pipeline = buildPipeline(chain);
    expect(blockedBy(pipeline, { qa: 'failed' })).toEqual([
      { environment: 'staging', causes: ['qa'], reason: '"staging" cannot start because "qa" failed' },
      { environment: 'prod', causes: ['qa'], reason: '"prod" cannot start because "qa" failed' },
    ]);
  });

  it('names the original ending, not the environments cancelled because of it', () => {
    const pipeline = buildPipeline(chain);
    expect(blockedBy(pipeline, { qa: 'rejected', staging: 'cancelled' })).toEqual([
      { environment: 'prod', causes: ['qa'], reason: '"prod" cannot start because "qa" was rejected' },
    ]);
  });

  it('blocks only the side of a fan-out that follows the failure', () => {
    const pipeline = buildPipeline([...fanOut, env('smoke-eu', 'prod-eu')]);
    expect(blockedBy(pipeline, { staging: 'succeeded', 'prod-eu': 'rolled_back' })).toEqual([
      { environment: 'smoke-eu', causes: ['prod-eu'], reason: '"smoke-eu" cannot start because "prod-eu" was rolled back' },
    ]);
  });

  it('names every branch that stops the join', () => {
    const pipeline = buildPipeline(diamond);
    expect(blockedBy(pipeline, { a: 'succeeded', b: 'expired', c: 'superseded' })).toEqual([
      { environment: 'd', causes: ['b', 'c'], reason: '"d" cannot start because "b" expired and "c" was superseded' },
    ]);
    // One branch still running does not unblock the join.
    expect(blockedBy(pipeline, { a: 'succeeded', b: 'skipped', c: 'running' }).map((blocked) => blocked.environment)).toEqual(['d']);
  });

  it('blocks nothing while everything can still succeed', () => {
    const pipeline = buildPipeline(diamond);
    expect(blockedBy(pipeline, {})).toEqual([]);
    expect(blockedBy(pipeline, { a: 'succeeded', b: 'running', c: 'waiting_for_approval' })).toEqual([]);
  });
});

describe('releaseOutcome', () => {
  const pipeline = buildPipeline(diamond);
  const outcome = (states: PipelineStates) => releaseOutcome(pipeline, states);

  it('runs while a stage runs or can start', () => {
    expect(outcome({})).toEqual({ status: 'running', settled: false });
    expect(outcome({ a: 'running' })).toEqual({ status: 'running', settled: false });
    // c can start, so b waiting for approval does not make the release wait.
    expect(outcome({ a: 'succeeded', b: 'waiting_for_approval' })).toEqual({ status: 'running', settled: false });
    // A running branch keeps the release running even though the other failed.
    expect(outcome({ a: 'succeeded', b: 'failed', c: 'running' })).toEqual({ status: 'running', settled: false });
  });

  it('waits for approval when a stage waits and none runs or can start', () => {
    expect(outcome({ a: 'succeeded', b: 'waiting_for_approval', c: 'succeeded' })).toEqual({ status: 'waiting_for_approval', settled: false });
    expect(outcome({ a: 'succeeded', b: 'waiting_for_approval', c: 'failed' })).toEqual({ status: 'waiting_for_approval', settled: false });
  });

  it('succeeds only when every environment succeeded', () => {
    expect(outcome({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' })).toEqual({ status: 'succeeded', settled: true });
    expect(outcome({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'skipped' })).toEqual({ status: 'cancelled', settled: true });
  });

  it('settles with environments still pending when they are blocked', () => {
    expect(outcome({ a: 'failed' })).toEqual({ status: 'failed', settled: true });
    expect(outcome({ a: 'rolled_back' })).toEqual({ status: 'failed', settled: true });
    expect(outcome({ a: 'succeeded', b: 'succeeded', c: 'rejected' })).toEqual({ status: 'rejected', settled: true });
  });

  it.each([
    [{ b: 'failed', c: 'rejected' }, 'failed'],
    [{ b: 'rolled_back', c: 'rejected' }, 'failed'],
    [{ b: 'rejected', c: 'expired' }, 'rejected'],
    [{ b: 'expired', c: 'superseded' }, 'expired'],
    [{ b: 'superseded', c: 'cancelled' }, 'superseded'],
    [{ b: 'cancelled', c: 'skipped' }, 'cancelled'],
    [{ b: 'skipped', c: 'succeeded' }, 'cancelled'],
  ] as const)('ranks mixed endings: %o is %s', (branches, status) => {
    expect(outcome({ a: 'succeeded', ...branches })).toEqual({ status, settled: true });
  });

  it('does not change when the blocked environments are cancelled', () => {
    const states: PipelineStates = { a: 'succeeded', b: 'expired', c: 'succeeded' };
    const cancelled = Object.fromEntries(blockedBy(pipeline, states).map((blocked) => [blocked.environment, 'cancelled' as const]));
    expect(outcome({ ...states, ...cancelled })).toEqual(outcome(states));
    expect(outcome(states)).toEqual({ status: 'expired', settled: true });
  });
});
