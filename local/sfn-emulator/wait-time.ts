import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { isJsonObject, type JsonObject, type JsonValue } from './json';

/**
 * When a Wait state entered at `enteredAt` with `rawInput` ends (epoch ms), or undefined when that
 * cannot be computed (the engine then fails the state itself). Paths are evaluated by the engine
 * (a one-state Pass machine with the Wait state's InputPath), so their semantics are exactly its own.
 */
export async function waitEndsAt(state: JsonObject, rawInput: JsonValue, enteredAt: number, context: Record<string, unknown>): Promise<number | undefined> {
  if (typeof state['Seconds'] === 'number') return enteredAt + state['Seconds'] * 1000;
  if (typeof state['Timestamp'] === 'string') return validTime(Date.parse(state['Timestamp']));
  const path = state['SecondsPath'] ?? state['TimestampPath'];
  if (typeof path !== 'string') return undefined;
  const value = await evaluate(state, path, rawInput, context);
  if (state['SecondsPath'] !== undefined) return typeof value === 'number' ? enteredAt + value * 1000 : undefined;
  return typeof value === 'string' ? validTime(Date.parse(value)) : undefined;
}

async function evaluate(state: JsonObject, path: string, rawInput: JsonValue, context: Record<string, unknown>): Promise<JsonValue | undefined> {
  const probe: JsonObject = { Type: 'Pass', Parameters: { 'value.$': path }, End: true };
  if ('InputPath' in state) probe['InputPath'] = state['InputPath'] ?? null;
  // JsonObject is not structurally the library's state union; the shape is right by construction.
  const definition = { StartAt: 'Probe', States: { Probe: probe } } as unknown as StateMachineDefinition;
  try {
    const result = await new StateMachine(definition, { validationOptions: { noValidate: true } }).run(rawInput, { context }).result;
    return isJsonObject(result) ? result['value'] : undefined;
  } catch {
    return undefined;
  }
}

function validTime(ms: number): number | undefined {
  return Number.isNaN(ms) ? undefined : ms;
}
