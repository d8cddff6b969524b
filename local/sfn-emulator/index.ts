/**
 * A Step Functions–compatible HTTP endpoint for local runs and tests, built on aws-local-stepfunctions.
 * Point the real `SFNClient` (or the AWS CLI, `--endpoint-url`) at `url`, with any credentials.
 *
 * Operations: StartExecution, DescribeExecution, StopExecution, ListExecutions, GetExecutionHistory,
 * SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat, ListStateMachines, DescribeStateMachine,
 * DescribeStateMachineForExecution. Task states run the registered local Lambda handlers (see
 * task-dispatch.ts).
 *
 * Without `dataDir` everything is in memory and a restart loses it. With `dataDir` every execution
 * (record, history, issued task tokens, what it waits on) is kept in a file rewritten atomically on
 * each change, so it survives `close()` and SIGKILL alike: the next start serves finished executions
 * and resumes running ones where they were — a callback task keeps its task token (SendTaskSuccess
 * with it continues the execution), a Wait state waits only for what is left, an interrupted Lambda
 * task runs again. See README.md for the file layout and the exact resume semantics.
 *
 * A fault switch (`injectFaults`, or `PUT /_emulator/faults`) makes the next calls of chosen
 * operations fail, for fault-injection tests of callers (see faults.ts).
 */
import type { AddressInfo } from 'node:net';
import { stateMachineArn as buildStateMachineArn, type ArnScope } from './arns';
import { DataDir } from './data-dir';
import { ExecutionStore } from './executions';
import { FaultSwitch, type ArmedFaults, type FaultSpec } from './faults';
import type { LambdaFunctionRegistry } from './lambda';
import { createOperations } from './operations';
import { createProtocolServer } from './protocol';
import { restoreExecutions, resumeExecutions } from './restore';
import { StateMachineCatalog } from './state-machines';
import { TaskTokenRegistry } from './task-tokens';

export { applyDefinitionSubstitutions } from './substitutions';
export type { ArmedFaults, FaultKind, FaultSpec } from './faults';
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
  /** Keep executions here (created if missing) and resume them on the next start; default: in memory. */
  dataDir?: string;
  log?: (line: string) => void;
}

export interface StepFunctionsEmulator {
  url: string;
  port: number;
  stateMachineArn(name: string): string;
  /** Arms the fault switch (replacing what was armed): the next `count` calls of `operations` fail. */
  injectFaults(spec: FaultSpec): ArmedFaults;
  clearFaults(): void;
  /**
   * Stops the server and every run. Without `dataDir` running executions are aborted; with it they
   * stay RUNNING on disk and resume on the next start (like after a crash).
   */
  close(): Promise<void>;
}

export async function startStepFunctionsEmulator(options: StepFunctionsEmulatorOptions): Promise<StepFunctionsEmulator> {
  const host = options.host ?? '127.0.0.1';
  const scope: ArnScope = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012' };
  const log = options.log ?? (() => undefined);
  const dataDir = options.dataDir === undefined ? undefined : await DataDir.open(options.dataDir, log);
  const catalog = await StateMachineCatalog.open(scope, options.stateMachines, dataDir, log);
  for (const machine of catalog.list()) {
    for (const task of machine.tasks.values()) {
      if (task.kind === 'unsupported') log(`[sfn] ${machine.name}: Task state "${task.name}" uses unsupported resource "${task.resource}"; it will fail when reached`);
    }
  }
  const tokens = new TaskTokenRegistry();
  const store = new ExecutionStore({ scope, functions: options.functions, tokens, log, ...(dataDir ? { dataDir } : {}) }, catalog);
  const toResume = dataDir ? await restoreExecutions(dataDir, store, tokens, log) : [];
  const operations = createOperations(store, tokens);
  const faults = new FaultSwitch(Object.keys(operations));
  const server = createProtocolServer(operations, faults, log);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8083, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log(`[sfn] Step Functions emulator listening on ${url} (${catalog.list().map((m) => m.name).join(', ') || 'no state machines'})${dataDir ? `, data in ${dataDir.root}` : ''}`);
  resumeExecutions(store, toResume);

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    stateMachineArn(name) {
      const known = catalog.list().map((machine) => machine.name);
      if (!known.includes(name)) throw new Error(`Unknown state machine "${name}" (registered: ${known.join(', ')})`);
      return buildStateMachineArn(scope, name);
    },
    injectFaults: (spec) => faults.arm(spec),
    clearFaults: () => faults.clear(),
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
