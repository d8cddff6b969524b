import { createHash } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { stateMachineArn, type ArnScope } from './arns';
import type { DataDir } from './data-dir';
import { prepareDefinition, type TaskStateInfo } from './definition';
import { SfnServiceError } from './errors';
import type { JsonObject } from './json';
import type { MachineFile } from './persisted';

/** One revision (definition text) of a state machine, ready to run. */
export interface RegisteredStateMachine {
  name: string;
  arn: string;
  roleArn: string;
  /** The ASL text as registered: what DescribeStateMachine returns. */
  definitionText: string;
  /** sha256 of definitionText; executions remember the revision they started on. */
  revision: string;
  /** When this revision was first registered (DescribeStateMachineForExecution's updateDate). */
  revisionDate: number;
  /** When the name was first registered (in this data directory, or this process without one). */
  creationDate: number;
  /** The rewritten definition the engine runs (see prepareDefinition). */
  definition: JsonObject;
  tasks: Map<string, TaskStateInfo>;
  machine: StateMachine;
}

/** Parses, rewrites (see prepareDefinition) and validates one state machine revision. */
export function loadStateMachine(
  scope: ArnScope,
  name: string,
  aslText: string,
  dates: { creationDate: number; revisionDate: number } = { creationDate: Date.now(), revisionDate: Date.now() },
): RegisteredStateMachine {
  try {
    const { definition, tasks } = prepareDefinition(aslText);
    // The library validates the definition itself (asl-validator) and throws if it is not valid ASL.
    const machine = new StateMachine(definition as unknown as StateMachineDefinition);
    const roleArn = `arn:aws:iam::${scope.accountId}:role/sfn-emulator`;
    return { name, arn: stateMachineArn(scope, name), roleArn, definitionText: aslText, revision: revisionOf(aslText), ...dates, definition, tasks, machine };
  } catch (error) {
    throw new Error(`State machine "${name}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function revisionOf(aslText: string): string {
  return createHash('sha256').update(aslText).digest('hex');
}

/**
 * The registered state machines, plus (with a data directory) every earlier revision of them, so a
 * persisted execution resumes on the definition it started with even after the ASL file was edited.
 */
export class StateMachineCatalog {
  private readonly current = new Map<string, RegisteredStateMachine>();
  /** Revisions known from the data directory but not loaded yet, by ARN then revision. */
  private readonly archived = new Map<string, MachineFile>();
  private readonly loaded = new Map<string, RegisteredStateMachine>();

  private constructor(
    private readonly scope: ArnScope,
    private readonly log: (line: string) => void,
  ) {}

  static async open(
    scope: ArnScope,
    machines: Array<{ name: string; definition: string }>,
    dataDir: DataDir | undefined,
    log: (line: string) => void,
  ): Promise<StateMachineCatalog> {
    const catalog = new StateMachineCatalog(scope, log);
    const files = new Map((await dataDir?.readMachines())?.map((file) => [file.name, file]));
    const now = Date.now();
    for (const { name, definition } of machines) {
      const revision = revisionOf(definition);
      const file: MachineFile = files.get(name) ?? { format: 1, name, creationDate: now, revisions: {} };
      const known = file.revisions[revision];
      const revisionDate = known?.createdAt ?? now;
      const machine = loadStateMachine(scope, name, definition, { creationDate: file.creationDate, revisionDate });
      catalog.current.set(machine.arn, machine);
      if (!known) {
        file.revisions[revision] = { createdAt: revisionDate, definition };
        await dataDir?.writeMachine(file);
      }
      files.set(name, file);
    }
    for (const file of files.values()) catalog.archived.set(stateMachineArn(scope, file.name), file);
    return catalog;
  }

  /** A registered state machine (the current revision); StateMachineDoesNotExist otherwise. */
  get(arn: string): RegisteredStateMachine {
    const machine = this.current.get(arn);
    if (!machine) throw new SfnServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  /** Registered state machines by name, as ListStateMachines returns them. */
  list(): RegisteredStateMachine[] {
    return [...this.current.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A specific revision, current or archived; undefined when it is unknown or no longer loads. */
  revision(arn: string, revision: string): RegisteredStateMachine | undefined {
    const current = this.current.get(arn);
    if (current?.revision === revision) return current;
    const key = `${arn}#${revision}`;
    const cached = this.loaded.get(key);
    if (cached) return cached;
    const file = this.archived.get(arn);
    const stored = file?.revisions[revision];
    if (!file || !stored) return undefined;
    try {
      const machine = loadStateMachine(this.scope, file.name, stored.definition, { creationDate: file.creationDate, revisionDate: stored.createdAt });
      this.loaded.set(key, machine);
      return machine;
    } catch (error) {
      this.log(`[sfn] revision ${revision.slice(0, 12)} of ${file.name} no longer loads: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}
