import { isJsonObject, type JsonObject, type JsonValue } from './json';

/**
 * Largest delay Node's setTimeout honours (2^31-1 ms ≈ 24.8 days). Longer delays fire after 1 ms, which
 * would time a task out immediately, so every timeout handed to aws-local-stepfunctions is clamped to it.
 */
export const MAX_TIMER_SECONDS = 2_147_483;

/**
 * aws-local-stepfunctions evaluates `TimeoutSecondsPath` against the task's *Parameters result*, while
 * Step Functions evaluates it against the state input. For a Task with Parameters the path is therefore
 * copied into Parameters under this key (evaluated against the input there), `TimeoutSecondsPath` is
 * pointed at it, and the task dispatcher strips the key before the service integration sees the input.
 */
export const TIMEOUT_PARAMETER = '__sfnEmulatorTimeoutSeconds';

export type TaskKind = 'lambda-invoke' | 'lambda-callback' | 'lambda-function' | 'unsupported';

export interface TaskStateInfo {
  name: string;
  resource: string;
  kind: TaskKind;
  /** Static timeout after defaults/clamping; undefined when it comes from the input (TimeoutSecondsPath). */
  timeoutSeconds: number | undefined;
}

export interface PreparedDefinition {
  /** The definition to hand to aws-local-stepfunctions (a rewritten copy of the original). */
  definition: JsonObject;
  /** Every Task state, including those inside Parallel branches and Map item processors, by name. */
  tasks: Map<string, TaskStateInfo>;
}

export function classifyResource(resource: string): TaskKind {
  if (/^arn:aws[a-z-]*:states:::lambda:invoke$/.test(resource)) return 'lambda-invoke';
  if (/^arn:aws[a-z-]*:states:::lambda:invoke\.waitForTaskToken$/.test(resource)) return 'lambda-callback';
  if (/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) return 'lambda-function';
  return 'unsupported';
}

/**
 * Parses ASL text and rewrites it so aws-local-stepfunctions behaves like Step Functions:
 * - Task without TimeoutSeconds/TimeoutSecondsPath: AWS defaults to 99999999 s, the library to 60 s;
 *   set it explicitly (clamped to MAX_TIMER_SECONDS).
 * - TimeoutSecondsPath: see TIMEOUT_PARAMETER.
 * - TimeoutSeconds (Task, Wait `Seconds`, top level) above MAX_TIMER_SECONDS: clamped.
 */
export function prepareDefinition(aslText: string): PreparedDefinition {
  const parsed: unknown = JSON.parse(aslText);
  if (!isJsonObject(parsed)) throw new Error('State machine definition must be a JSON object');
  const definition = structuredClone(parsed);
  const tasks = new Map<string, TaskStateInfo>();
  const seen = new Set<string>();
  clampNumber(definition, 'TimeoutSeconds');
  visitStates(definition, tasks, seen);
  return { definition, tasks };
}

function visitStates(machine: JsonObject, tasks: Map<string, TaskStateInfo>, seen: Set<string>): void {
  const states = machine['States'];
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    if (seen.has(name)) throw new Error(`State name "${name}" is used more than once (names must be unique in the whole state machine)`);
    seen.add(name);
    switch (state['Type']) {
      case 'Task':
        tasks.set(name, prepareTask(name, state));
        break;
      case 'Wait':
        clampNumber(state, 'Seconds');
        break;
      case 'Parallel':
        for (const branch of asArray(state['Branches'])) if (isJsonObject(branch)) visitStates(branch, tasks, seen);
        break;
      case 'Map': {
        const processor = state['ItemProcessor'] ?? state['Iterator'];
        if (isJsonObject(processor)) visitStates(processor, tasks, seen);
        break;
      }
    }
  }
}

function prepareTask(name: string, state: JsonObject): TaskStateInfo {
  const resource = typeof state['Resource'] === 'string' ? state['Resource'] : '';
  const info = { name, resource, kind: classifyResource(resource) };
  const timeoutPath = state['TimeoutSecondsPath'];
  if (typeof state['TimeoutSeconds'] === 'number') {
    clampNumber(state, 'TimeoutSeconds');
    return { ...info, timeoutSeconds: state['TimeoutSeconds'] as number };
  }
  if (typeof timeoutPath === 'string') {
    const parameters = state['Parameters'];
    if (isJsonObject(parameters)) {
      parameters[`${TIMEOUT_PARAMETER}.$`] = timeoutPath;
      state['TimeoutSecondsPath'] = `$.${TIMEOUT_PARAMETER}`;
    }
    return { ...info, timeoutSeconds: undefined };
  }
  state['TimeoutSeconds'] = MAX_TIMER_SECONDS;
  return { ...info, timeoutSeconds: MAX_TIMER_SECONDS };
}

function clampNumber(holder: JsonObject, key: string): void {
  const value = holder[key];
  if (typeof value === 'number' && value > MAX_TIMER_SECONDS) holder[key] = MAX_TIMER_SECONDS;
}

function asArray(value: JsonValue | undefined): JsonValue[] {
  return Array.isArray(value) ? value : [];
}
