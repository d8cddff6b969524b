import { assertArn } from './arns';
import type { ExecutionStore } from './executions';
import { epochSeconds, executionArnOf, optionalNumber, optionalString, requiredString } from './input';
import type { Operation } from './operations';
import { paginate } from './paging';

/** What the service reports for a state machine without logging or X-Ray tracing configured. */
const OBSERVABILITY = {
  loggingConfiguration: { level: 'OFF', includeExecutionData: false },
  tracingConfiguration: { enabled: false },
};

/**
 * Read-only state machine operations (the AWS CLI and consoles call them first). Every state machine
 * is STANDARD and ACTIVE; `definition` is the registered ASL text, `revisionId` its sha256.
 */
export function machineOperations(store: ExecutionStore): Record<string, Operation> {
  return {
    ListStateMachines(input) {
      const machines = store.catalog.list();
      const { page, nextToken } = paginate(machines, 'state-machines', optionalNumber(input, 'maxResults'), optionalString(input, 'nextToken'));
      return {
        stateMachines: page.map((machine) => ({ stateMachineArn: machine.arn, name: machine.name, type: 'STANDARD', creationDate: epochSeconds(machine.creationDate) })),
        nextToken,
      };
    },

    DescribeStateMachine(input) {
      const arn = requiredString(input, 'stateMachineArn');
      assertArn(arn, 'stateMachine');
      const machine = store.catalog.get(arn);
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: machine.definitionText,
        roleArn: machine.roleArn,
        type: 'STANDARD',
        creationDate: epochSeconds(machine.creationDate),
        revisionId: machine.revision,
        ...OBSERVABILITY,
      };
    },

    DescribeStateMachineForExecution(input) {
      // The revision the execution started on, which may differ from the current definition.
      const machine = store.machineOf(executionArnOf(input));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        definition: machine.definitionText,
        roleArn: machine.roleArn,
        updateDate: epochSeconds(machine.revisionDate),
        revisionId: machine.revision,
        ...OBSERVABILITY,
      };
    },
  };
}
