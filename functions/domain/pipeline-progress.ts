import type { Pipeline } from './pipeline';
import type { ReleaseStatus } from './release';

/**
 * How a release moves through its app's pipeline: which environments may
 * start now, which never can, and what the release as a whole has come to.
 * Everything is derived from the state of each environment's stage, so the
 * orchestrator can ask again after every change and get the same answer.
 */

export type PipelineStageState =
  | 'pending'
  | 'running'
  | 'waiting_for_approval'
  | 'succeeded'
  | 'failed'
  | 'rolled_back'
  | 'rejected'
  | 'expired'
  | 'cancelled'
  | 'superseded'
  | 'skipped';

/** Stage state by environment name; an environment without an entry has not started (`pending`). */
export type PipelineStates = Readonly<Record<string, PipelineStageState>>;

/** A stage that ended without the environment being deployed, and how a reason says so. */
const UNSUCCESSFUL_ENDINGS = {
  failed: 'failed',
  rolled_back: 'was rolled back',
  rejected: 'was rejected',
  expired: 'expired',
  cancelled: 'was cancelled',
  superseded: 'was superseded',
  skipped: 'was skipped',
} as const satisfies Partial<Record<PipelineStageState, string>>;

export type UnsuccessfulEnding = keyof typeof UNSUCCESSFUL_ENDINGS;

export const isUnsuccessfulEnding = (state: PipelineStageState): state is UnsuccessfulEnding => Object.hasOwn(UNSUCCESSFUL_ENDINGS, state);

/**
 * Which status a release that ended in a mix of endings gets: the first row
 * that any of its stages matches. The order is by what the people looking at
 * the release most need to know:
 *
 *   failed (failed, rolled_back) > rejected > expired > superseded > cancelled (cancelled, skipped)
 *
 * A failure changed (or tried to change) a cluster and may need an operator.
 * A rejection is a person's decision against the release; an expiry means no
 * one decided. Superseded says a newer release took over, which is routine.
 * Cancelled comes last because the environments cancelled for being blocked
 * (see blockedBy) are the consequence of one of the endings above, not the
 * cause. Skipped environments were not deployed either, so a release with
 * one never counts as succeeded; it ranks with cancelled.
 */
const ENDING_PRECEDENCE: ReadonlyArray<{ states: readonly UnsuccessfulEnding[]; status: ReleaseStatus }> = [
  { states: ['failed', 'rolled_back'], status: 'failed' },
  { states: ['rejected'], status: 'rejected' },
  { states: ['expired'], status: 'expired' },
  { states: ['superseded'], status: 'superseded' },
  { states: ['cancelled', 'skipped'], status: 'cancelled' },
];

export const stateOf = (states: PipelineStates, environment: string): PipelineStageState =>
  (Object.hasOwn(states, environment) ? states[environment] : undefined) ?? 'pending';

/** Pending environments all of whose predecessors succeeded, in pipeline order. */
export function readyToStart(pipeline: Pipeline, states: PipelineStates): string[] {
  return pipeline.order.filter(
    (name) => stateOf(states, name) === 'pending' && (pipeline.predecessors.get(name) ?? []).every((before) => stateOf(states, before) === 'succeeded'),
  );
}

/** A pending environment that can never start. */
export interface BlockedEnvironment {
  environment: string;
  /**
   * The upstream environments whose ending stops it, in pipeline order. An
   * environment that was itself cancelled for being blocked passes on its
   * causes instead of being one, so the reason names what actually went wrong.
   */
  causes: string[];
  /** For cancelling it: `"prod" cannot start because "staging" failed`. */
  reason: string;
}

/**
 * Pending environments that can never start because something they follow,
 * directly or through others, ended other than succeeded. They should be
 * cancelled with the reason given. In pipeline order.
 */
export function blockedBy(pipeline: Pipeline, states: PipelineStates): BlockedEnvironment[] {
  const causes = upstreamCauses(pipeline, states);
  return pipeline.order
    .filter((name) => stateOf(states, name) === 'pending' && (causes.get(name) ?? []).length > 0)
    .map((name) => {
      const found = causes.get(name) ?? [];
      const endings = found.map((cause) => `"${cause}" ${endingPhrase(stateOf(states, cause))}`);
      return { environment: name, causes: found, reason: `"${name}" cannot start because ${list(endings)}` };
    });
}

/**
 * For every environment, the unsuccessful endings upstream of it that are not
 * themselves explained by an ending further up. One pass in pipeline order:
 * a predecessor's causes are final by the time its successors are looked at.
 */
function upstreamCauses(pipeline: Pipeline, states: PipelineStates): Map<string, string[]> {
  const position = new Map(pipeline.order.map((name, i) => [name, i]));
  const causes = new Map<string, string[]>();
  const passedOn = (predecessor: string): readonly string[] => {
    const state = stateOf(states, predecessor);
    const own = causes.get(predecessor) ?? [];
    if (isUnsuccessfulEnding(state)) return own.length > 0 ? own : [predecessor];
    // A pending predecessor is blocked by whatever blocks it; running, waiting and succeeded ones block nothing.
    return state === 'pending' ? own : [];
  };
  for (const name of pipeline.order) {
    const found = new Set((pipeline.predecessors.get(name) ?? []).flatMap(passedOn));
    causes.set(name, [...found].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0)));
  }
  return causes;
}

const endingPhrase = (state: PipelineStageState): string => (isUnsuccessfulEnding(state) ? UNSUCCESSFUL_ENDINGS[state] : state);

/** What a release has come to; `settled` once nothing in it can change any more. */
export interface PipelineOutcome {
  status: ReleaseStatus;
  settled: boolean;
}

/**
 * The release's status from its stages: `running` while a stage runs or can
 * start, else `waiting_for_approval` while a stage waits, else it is settled:
 * `succeeded` if every environment succeeded, otherwise by ENDING_PRECEDENCE.
 * Once settled, every environment still pending is blocked (it follows an
 * unsuccessful ending, directly or through other pending ones), so its own
 * eventual cancellation cannot outrank what blocks it.
 */
export function releaseOutcome(pipeline: Pipeline, states: PipelineStates): PipelineOutcome {
  const current = pipeline.order.map((name) => stateOf(states, name));
  if (current.includes('running') || readyToStart(pipeline, states).length > 0) return { status: 'running', settled: false };
  if (current.includes('waiting_for_approval')) return { status: 'waiting_for_approval', settled: false };
  if (current.every((state) => state === 'succeeded')) return { status: 'succeeded', settled: true };
  const decisive = ENDING_PRECEDENCE.find((row) => current.some((state) => (row.states as readonly PipelineStageState[]).includes(state)));
  // Unreachable for a consistent pipeline (a blocked environment has an unsuccessful ending upstream), but total.
  return { status: decisive?.status ?? 'cancelled', settled: true };
}

/** "a", "a and b", "a, b and c". */
function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}
