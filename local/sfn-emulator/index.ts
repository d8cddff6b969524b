/**
 * A Step Functions–compatible HTTP endpoint for local runs and tests, built on aws-local-stepfunctions.
 * Point the real `SFNClient` at `url` (any credentials). Supported operations: StartExecution,
 * DescribeExecution, StopExecution, ListExecutions, GetExecutionHistory, SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat. Task states run the registered local Lambda handlers
 * (see task-dispatch.ts). Everything is in memory: a restart loses all executions and task tokens.
 */
import type { AddressInfo } from 'node:net';
import { stateMachineArn as buildStateMachineArn, type ArnScope } from './arns';
import { ExecutionStore, loadStateMachine } from './executions';
import type { LambdaFunctionRegistry } from './lambda';
import { createOperations } from './operations';
import { createProtocolServer } from './protocol';
import { TaskTokenRegistry } from './task-tokens';

export { applyDefinitionSubstitutions } from './substitutions';
export type { LambdaFunctionRegistry } from './lambda';

export interface StepFunctionsEmulatorOptions {
  /** Default 8083 (the port AWS Step Functions Local uses); 0 picks a free one. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default us-east-1. */
  region?: string;
  /** Default 123456789012. */
  accountId?: string;
  /** ASL JSON text with DefinitionSubstitutions already applied (see applyDefinitionSubstitutions). */
  stateMachines: Array<{ name: string; definition: string }>;
  functions: LambdaFunctionRegistry;
  log?: (line: string) => void;
}

export interface StepFunctionsEmulator {
  url: string;
  port: number;
  stateMachineArn(name: string): string;
  /** Aborts running executions and stops the server. */
  close(): Promise<void>;
}

export async function startStepFunctionsEmulator(options: StepFunctionsEmulatorOptions): Promise<StepFunctionsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const scope: ArnScope = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012' };
  const log = options.log ?? (() => undefined);
  const machines = options.stateMachines.map(({ name, definition }) => loadStateMachine(scope, name, definition));
  for (const machine of machines) {
    for (const task of machine.tasks.values()) {
      if (task.kind === 'unsupported') log(`[sfn] ${machine.name}: Task state "${task.name}" uses unsupported resource "${task.resource}"; it will fail when reached`);
    }
  }
  const tokens = new TaskTokenRegistry();
  const store = new ExecutionStore({ scope, functions: options.functions, tokens, log }, machines);
  const server = createProtocolServer(createOperations(store, tokens), log);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8083, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`[sfn] Step Functions emulator listening on ${url} (${machines.map((m) => m.name).join(', ') || 'no state machines'})`);

  const known = new Set(machines.map((machine) => machine.name));
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    stateMachineArn(name) {
      if (!known.has(name)) throw new Error(`Unknown state machine "${name}" (registered: ${[...known].join(', ')})`);
      return buildStateMachineArn(scope, name);
    },
    close() {
      closing ??= (async () => {
        await store.closeAll();
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
