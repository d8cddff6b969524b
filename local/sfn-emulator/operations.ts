import { assertArn } from './arns';
import { SfnServiceError } from './errors';
import type { ExecutionRecord, ExecutionStatus, ExecutionStore } from './executions';
import type { HistoryEvent } from './history';
import { epochSeconds, executionArnOf, optionalBoolean, optionalNumber, optionalString, requiredString, validationError, type OperationInput } from './input';
import type { JsonValue } from './json';
import { machineOperations } from './machine-operations';
import { paginate } from './paging';
import { EXECUTION_STATUSES } from './persisted';
import type { TaskTokenRegistry } from './task-tokens';

export type { OperationInput } from './input';
export type Operation = (input: OperationInput) => Record<string, unknown> | Promise<Record<string, unknown>>;

const STATUSES: readonly ExecutionStatus[] = EXECUTION_STATUSES;

/** The supported Step Functions API operations, by name (the part after `AWSStepFunctions.`). */
export function createOperations(store: ExecutionStore, tokens: TaskTokenRegistry): Record<string, Operation> {
  return {
    ...machineOperations(store),

    async StartExecution(input) {
      const stateMachineArn = requiredString(input, 'stateMachineArn');
      assertArn(stateMachineArn, 'stateMachine');
      const record = await store.start(stateMachineArn, optionalString(input, 'name'), optionalString(input, 'input') ?? '{}');
      return { executionArn: record.executionArn, startDate: epochSeconds(record.startDate) };
    },

    DescribeExecution(input) {
      return describe(store.describe(executionArnOf(input)));
    },

    StopExecution(input) {
      const record = store.stop(executionArnOf(input), optionalString(input, 'error'), optionalString(input, 'cause'));
      return { stopDate: epochSeconds(record.stopDate ?? Date.now()) };
    },

    ListExecutions(input) {
      const stateMachineArn = requiredString(input, 'stateMachineArn');
      assertArn(stateMachineArn, 'stateMachine');
      const status = optionalString(input, 'statusFilter');
      if (status !== undefined && !STATUSES.includes(status as ExecutionStatus)) {
        throw validationError(`Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
      }
      const records = store.list(stateMachineArn, status as ExecutionStatus | undefined);
      const scope = `list:${stateMachineArn}:${status ?? ''}`;
      const { page, nextToken } = paginate(records, scope, optionalNumber(input, 'maxResults'), optionalString(input, 'nextToken'));
      return { executions: page.map(listItem), nextToken };
    },

    GetExecutionHistory(input) {
      const record = store.describe(executionArnOf(input));
      const reverse = optionalBoolean(input, 'reverseOrder') ?? false;
      const includeData = optionalBoolean(input, 'includeExecutionData') ?? true;
      const events = reverse ? [...record.history.events].reverse() : record.history.events;
      const scope = `history:${record.executionArn}:${reverse}`;
      const { page, nextToken } = paginate(events, scope, optionalNumber(input, 'maxResults'), optionalString(input, 'nextToken'));
      return { events: page.map((event) => wireEvent(event, includeData)), nextToken };
    },

    async SendTaskSuccess(input) {
      const token = requiredString(input, 'taskToken');
      const output = requiredString(input, 'output');
      let parsed: JsonValue;
      try {
        parsed = JSON.parse(output) as JsonValue;
      } catch {
        throw new SfnServiceError('InvalidOutput', `Invalid Output: '${output}'`);
      }
      await store.completeTask(token, { output: parsed });
      return {};
    },

    async SendTaskFailure(input) {
      const token = requiredString(input, 'taskToken');
      await store.completeTask(token, { error: optionalString(input, 'error') ?? '', cause: optionalString(input, 'cause') ?? '' });
      return {};
    },

    SendTaskHeartbeat(input) {
      tokens.heartbeat(requiredString(input, 'taskToken'));
      return {};
    },
  };
}

function describe(record: ExecutionRecord): Record<string, unknown> {
  const succeeded = record.status === 'SUCCEEDED';
  return {
    ...listItem(record),
    input: record.input,
    inputDetails: { included: true },
    output: succeeded ? record.output : undefined,
    outputDetails: succeeded ? { included: true } : undefined,
    error: record.error,
    cause: record.cause,
  };
}

function listItem(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    stopDate: record.stopDate === undefined ? undefined : epochSeconds(record.stopDate),
  };
}

const EXECUTION_DATA_FIELDS = new Set(['input', 'output', 'parameters']);

function wireEvent(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    id: event.id,
    previousEventId: event.previousEventId,
    timestamp: epochSeconds(event.timestamp),
    type: event.type,
  };
  if (event.detailsKey && event.details) {
    wire[event.detailsKey] = includeData
      ? event.details
      : Object.fromEntries(Object.entries(event.details).filter(([key]) => !EXECUTION_DATA_FIELDS.has(key)));
  }
  return wire;
}
