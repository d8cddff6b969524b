import type { JsonValue } from './json';
import type { TaskOutcome } from './task-tokens';

/** A `.waitForTaskToken` task whose token is out: resuming must keep that token, not invoke again. */
export interface CallbackWaiting {
  kind: 'callback';
  token: string;
  /** Epoch ms when the task times out. */
  deadline?: number;
  /** The function returned (the request carrying the token is out). False: invoke it again on resume. */
  submitted: boolean;
  /** SendTaskSuccess/SendTaskFailure already answered but the engine had not moved on yet. */
  outcome?: TaskOutcome;
}

/** A Wait state: resuming waits only for what is left. */
export interface WaitStateWaiting {
  kind: 'wait';
  /** Epoch ms when the wait ends; computed shortly after the state is entered (see wait-time.ts). */
  endsAt?: number;
}

/**
 * Where a running execution is, for resuming it after a restart: the top-level state it last
 * entered with that state's raw input (before InputPath/Parameters), and what it is waiting on there.
 */
export interface Position {
  state: string;
  type: string;
  input: JsonValue;
  enteredAt: number;
  waiting?: CallbackWaiting | WaitStateWaiting;
}
