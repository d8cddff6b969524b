import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { isJsonObject, type JsonObject } from './json';
import type { Position } from './position';

/**
 * Synthetic first state of a resumed run. aws-local-stepfunctions always starts at StartAt and sets
 * `$$.Execution.Input` to the run's input, so a resumed run gets the execution's original input and
 * this Pass state turns it into the saved raw input of the state to resume. Its events are dropped.
 */
export const RESUME_STATE = '__sfnEmulatorResume';

/** Shortest timeout handed to the engine (a zero TimeoutSeconds would mean "use the default"). */
const MIN_TIMEOUT_SECONDS = 0.001;

export interface ResumePlan {
  /** The definition to run: the same States, starting at RESUME_STATE. Not valid ASL (getter, fractions): run it unvalidated. */
  definition: StateMachineDefinition;
  /** The engine's waitTimeOverrides: the resumed Wait state waits only for what is left, once. */
  waitTimeOverrides: Record<string, number>;
  /**
   * Sets the timeout (ms from now) the engine applies to the resumed Task state's *next* attempt.
   * The engine calls the task handler first and reads the state's TimeoutSeconds right after, so
   * the handler arms this on the resumed entry and clears it (undefined) on any later entry.
   */
  armTaskTimeout(ms: number | undefined): void;
}

/**
 * Builds the run that continues an execution at `position` (see README.md, "Resume"), with the
 * execution-level TimeoutSeconds reduced by the time already spent (`elapsedMs`).
 */
export function planResume(base: JsonObject, position: Position, elapsedMs: number): ResumePlan {
  const states = base['States'];
  const state = isJsonObject(states) ? states[position.state] : undefined;
  if (!isJsonObject(states) || !isJsonObject(state)) throw new Error(`state "${position.state}" is not a top-level state of the definition`);

  let armedSeconds: number | undefined;
  const resumed: JsonObject = { ...state };
  if (state['Type'] === 'Task') {
    const configured = state['TimeoutSeconds'];
    Object.defineProperty(resumed, 'TimeoutSeconds', { enumerable: true, get: () => armedSeconds ?? configured });
  }

  const definition: JsonObject = {
    ...base,
    StartAt: RESUME_STATE,
    States: {
      ...states,
      [position.state]: resumed,
      // Result must be truthy for the engine to use it (a null/0/false input would be lost), hence the wrapper.
      [RESUME_STATE]: { Type: 'Pass', Result: { input: position.input }, OutputPath: '$.input', Next: position.state },
    },
  };
  const executionTimeout = base['TimeoutSeconds'];
  if (typeof executionTimeout === 'number') {
    definition['TimeoutSeconds'] = Math.max(executionTimeout - elapsedMs / 1000, MIN_TIMEOUT_SECONDS);
  }

  const waitTimeOverrides: Record<string, number> = {};
  const waiting = position.waiting;
  if (waiting?.kind === 'wait' && waiting.endsAt !== undefined) {
    const endsAt = waiting.endsAt;
    let used = false;
    // The engine reads the override once per Wait execution: the first read is the resumed one,
    // later entries of the same state wait normally.
    Object.defineProperty(waitTimeOverrides, position.state, {
      enumerable: true,
      get: () => (used ? undefined : ((used = true), Math.max(endsAt - Date.now(), 0))),
    });
  }

  return {
    definition: definition as unknown as StateMachineDefinition, // a copy of a definition the library validated
    waitTimeOverrides,
    armTaskTimeout(ms) {
      armedSeconds = ms === undefined ? undefined : Math.max(ms / 1000, MIN_TIMEOUT_SECONDS);
    },
  };
}
