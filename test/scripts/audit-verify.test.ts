import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../functions/domain/audit';
import { chainEvents, EMPTY_CHAIN } from '../../functions/domain/audit-chain';
import { toJsonLines } from '../../functions/domain/audit-export';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the verifier as an auditor would; resolves with the exit code instead of rejecting on failure. */
const verify = (...args: string[]) =>
  new Promise<Outcome>((resolve) => {
    execFile(join('node_modules', '.bin', 'tsx'), ['scripts/audit-verify.ts', ...args], (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });

const APP = 'hello-web';
let dir: string;
/** The lines of a fresh 8-event export: events 1..8 at indexes 0..7, the head line at 8. */
let lines: string[];

async function exportFile(name: string, content: string[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${content.join('\n')}\n`);
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-verify-'));
  const events = Array.from(
    { length: 8 },
    (_, i): AuditEvent => ({
      id: randomUUID(),
      app: APP,
      actor: i % 2 ? 'ana@example.com' : 'system:state-machine',
      action: i % 2 ? 'approval.vote' : 'deployment.started',
      subject: 'release/rel-1',
      at: new Date(Date.UTC(2025, 0, 6, 9, i)).toISOString(),
      detail: { step: i + 1 },
    }),
  );
  const { events: chained, head } = chainEvents(EMPTY_CHAIN, events);
  lines = toJsonLines(APP, chained, head, new Date().toISOString()).trimEnd().split('\n');
});

const edit = (line: string, change: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(line), ...change });

describe('npm run audit:verify', () => {
  it('accepts an intact export and prints its head (exit 0)', async () => {
    const head = JSON.parse(lines[8] ?? '') as { hash: string };
    const result = await verify(await exportFile('good.jsonl', lines));
    expect(result).toMatchObject({ code: 0, stdout: `OK: 8 events, head 8 ${head.hash}\n` });
  });

  it('accepts the committed golden export', async () => {
    const result = await verify('test/fixtures/audit/hello-web.jsonl');
    expect(result).toMatchObject({ code: 0, stdout: 'OK: 8 events, head 8 ed49ffa2b0be95d96d1866d4362e7c8a9cce6d5c2c2756a7948c247e6510bbf6\n' });
  });

  it('names the event whose field was changed (exit 1)', async () => {
    const tampered = lines.map((line, i) => (i === 4 ? edit(line, { actor: 'mallory@example.com' }) : line));
    const result = await verify(await exportFile('changed.jsonl', tampered));
    expect(result).toMatchObject({ code: 1, stdout: 'BROKEN at seq 5 (changed): event 5 was changed after it was written: its content no longer matches its hash\n' });
  });

  it('names a deleted event', async () => {
    const result = await verify(await exportFile('deleted.jsonl', lines.filter((_, i) => i !== 4)));
    expect(result).toMatchObject({ code: 1, stdout: expect.stringMatching(/^BROKEN at seq 5 \(missing\): event 5 is missing/) });
  });

  it('names swapped events', async () => {
    const swapped = [...lines.slice(0, 4), lines[5] ?? '', lines[4] ?? '', ...lines.slice(6)];
    const result = await verify(await exportFile('swapped.jsonl', swapped));
    expect(result).toMatchObject({ code: 1, stdout: expect.stringMatching(/^BROKEN at seq 5 \(reordered\)/) });
  });

  it('detects a truncated export by its head line', async () => {
    const truncated = [...lines.slice(0, 6), lines[8] ?? ''];
    const result = await verify(await exportFile('truncated.jsonl', truncated));
    expect(result).toMatchObject({ code: 1, stdout: expect.stringMatching(/^BROKEN at seq 8 \(missing\): events 7–8 are missing/) });
  });

  it('refuses a malformed file and names the line (exit 2)', async () => {
    const result = await verify('test/fixtures/audit/malformed.jsonl');
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^audit-verify: test\/fixtures\/audit\/malformed\.jsonl: line 3: not valid JSON/) });
  });

  it('refuses an export without its head line (exit 2): a cut-off file must not pass', async () => {
    const result = await verify(await exportFile('headless.jsonl', lines.slice(0, 8)));
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('no head line') });
  });

  it('explains its usage (exit 2)', async () => {
    expect(await verify()).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run audit:verify -- <export.jsonl>') });
    expect(await verify(join(dir, 'absent.jsonl'))).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') });
  });
});
