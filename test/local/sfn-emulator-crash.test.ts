import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterEach, expect, it } from 'vitest';
import { finished, history, RecordingFunctions, startEmulator, type Running } from './fixtures/sfn-resume-harness';

const root = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/sfn-emulator-crash-child.ts', import.meta.url));

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Runs the child until it printed the execution ARN and the task token, then kills it with SIGKILL. */
async function runAndKill(dataDir: string): Promise<{ executionArn: string; token: string }> {
  // Node with tsx's loader, not the tsx CLI: the CLI runs the script in a grandchild process that a
  // SIGKILL of the CLI would leave running (and writing to the data directory).
  const process = spawn(globalThis.process.execPath, ['--import', 'tsx', child, dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => {
    if (process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => process.once('exit', (_code, signal) => resolve(signal)));
  const seen: { executionArn?: string; token?: string } = {};
  for await (const line of createInterface({ input: process.stdout })) {
    Object.assign(seen, JSON.parse(line));
    if (seen.executionArn && seen.token) break;
  }
  process.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  if (!seen.executionArn || !seen.token) throw new Error(`the child ended early: ${JSON.stringify(seen)}`);
  return { executionArn: seen.executionArn, token: seen.token };
}

it('resumes an execution waiting for a task token after its emulator process was killed with SIGKILL', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sfn-crash-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const { executionArn, token } = await runAndKill(dataDir);

  const functions = new RecordingFunctions();
  const restarted: Running = await startEmulator({ dataDir, functions: functions.registry });
  cleanup.push(() => restarted.stop());
  await restarted.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approver: 'after-crash' }) }));
  const execution = await finished(restarted.sfn, executionArn);
  expect(execution.status).toBe('SUCCEEDED');
  expect(JSON.parse(execution.output!)).toMatchObject({ approval: { approver: 'after-crash' } });
  // Killed maybe before the function's return was on disk: then it ran again, with the same token.
  expect(functions.approvals.every((request) => request.taskToken === token)).toBe(true);
  const events = await history(restarted.sfn, executionArn);
  events.forEach((event, index) => expect(event).toMatchObject({ id: index + 1, previousEventId: index }));
  // ExecutionResumed is emulator-specific: not in the SDK's HistoryEventType union.
  expect(events.filter((event) => String(event.type) === 'ExecutionResumed')).toHaveLength(1);
});
