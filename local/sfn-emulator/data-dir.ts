import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as z from 'zod';
import { executionFileSchema, machineFileSchema, type ExecutionFile, type MachineFile } from './persisted';
import { writeFileAtomic } from './snapshot-writer';

const EXECUTIONS = 'executions';
const MACHINES = 'state-machines';

/**
 * The emulator's data directory (the `dataDir` option): one JSON file per state machine and one per
 * execution, each replaced atomically (see writeFileAtomic). Layout and formats: README.md.
 */
export class DataDir {
  private constructor(
    readonly root: string,
    private readonly log: (line: string) => void,
  ) {}

  static async open(root: string, log: (line: string) => void): Promise<DataDir> {
    const dir = new DataDir(root, log);
    await mkdir(join(root, EXECUTIONS), { recursive: true });
    await mkdir(join(root, MACHINES), { recursive: true });
    return dir;
  }

  async readMachines(): Promise<MachineFile[]> {
    return this.readAll(join(this.root, MACHINES), machineFileSchema);
  }

  writeMachine(file: MachineFile): Promise<void> {
    return writeFileAtomic(join(this.root, MACHINES, `${file.name}.json`), JSON.stringify(file, null, 1));
  }

  async readExecutions(): Promise<ExecutionFile[]> {
    const root = join(this.root, EXECUTIONS);
    const files: ExecutionFile[] = [];
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (entry.isDirectory()) files.push(...(await this.readAll(join(root, entry.name), executionFileSchema)));
    }
    return files;
  }

  /**
   * The path of an execution's file (its directory is created by the first write). Names cannot
   * contain path separators (see assertExecutionName); the hash keeps names that differ only in case
   * apart on case-insensitive file systems.
   */
  executionPath(stateMachineName: string, executionName: string, executionArn: string): string {
    const hash = createHash('sha256').update(executionArn).digest('hex').slice(0, 10);
    return join(this.root, EXECUTIONS, stateMachineName, `${executionName}.${hash}.json`);
  }

  /**
   * Every `*.json` file of a directory that parses and matches the schema. Leftover temporary files
   * (a write interrupted by SIGKILL before its rename) are deleted: the previous content is intact.
   */
  private async readAll<T>(dir: string, schema: z.ZodType<T>): Promise<T[]> {
    const results: T[] = [];
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.endsWith('.tmp')) {
        await rm(path, { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      try {
        const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
        if (parsed.success) results.push(parsed.data);
        else this.log(`[sfn] ignoring ${path}: not an emulator file (${parsed.error.issues[0]?.message ?? 'invalid'})`);
      } catch (error) {
        this.log(`[sfn] ignoring ${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return results;
  }
}
