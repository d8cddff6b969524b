import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, imageFor, linkFor, tokenFor } from '../support/clients';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * `npx gatekeeper` (issue 12): the real bin (bin/gatekeeper.mjs → tsx →
 * scripts/gatekeeper/main.ts) as a child process against a local stack, on
 * the seeded hello-web (staging, then prod needing 1 of alice and bob).
 */
let stack: TestStack;
let seed = Date.now();
const image = () => imageFor(`cli-${seed++}`);
const API_TYPES_FILE = 'scripts/gatekeeper/api-types.ts';
const CI_VARIABLES = ['GITHUB_RUN_ID', 'GITHUB_REPOSITORY', 'GITHUB_RUN_ATTEMPT', 'CI_PIPELINE_ID', 'CI_PROJECT_PATH', 'GATEKEEPER_URL', 'GATEKEEPER_TOKEN'];

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack?.close());

interface Run {
  /** Resolves with the first stdout line matching. */
  line: (pattern: RegExp) => Promise<string>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The bin as a child process; with `tty`, inside a real pseudo-terminal
 * (util-linux `script`, which relays what the terminal shows, escapes and all,
 * and exits with the child's status).
 */
function gatekeeper(args: string[], env: Record<string, string> = {}, { tty = false } = {}): Run {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CI_VARIABLES.includes(name)));
  const argv = [process.execPath, 'bin/gatekeeper.mjs', ...args];
  // A new pseudo-terminal has no size until someone sets one, as a terminal emulator does.
  const [command, ...rest] = tty ? ['script', '-qfec', `stty cols 200 rows 50; ${argv.map(shellQuote).join(' ')}`, '/dev/null'] : argv;
  const child = spawn(command ?? '', rest, {
    env: { ...base, GATEKEEPER_URL: stack.apiUrl, GATEKEEPER_TOKEN: stack.ciToken, GATEKEEPER_POLL_MS: '150', ...env },
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    waiters.forEach((w) => w());
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = stdout.split('\n').find((l) => pattern.test(l));
        if (found) resolve(found);
      };
      waiters.push(check);
      check();
      void done.then(() => reject(new Error(`no line matching ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`)));
    });
  return { line, done };
}

const run = (args: string[], env?: Record<string, string>) => gatekeeper(args, env).done;
const idIn = (text: string) => /\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/.exec(text)?.[1] ?? '';

async function approveByEmail(releaseId: string, approver: string) {
  const response = await fetch(await linkFor(stack, releaseId, approver), { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
  expect(response.status).toBe(200);
}

describe('the typed client', () => {
  /** `npm run openapi:types -- --check [file]`, through tsx as npm runs it. */
  const check = (...file: string[]) =>
    promisify(execFile)(join('node_modules', '.bin', 'tsx'), ['scripts/gatekeeper/openapi-types.ts', '--check', ...file]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

  it('the committed api-types.ts is what `npm run openapi:types` generates from the served document (regenerate when this fails)', async () => {
    expect(await check()).toEqual({ code: 0, stdout: expect.stringContaining('is up to date') });
  });

  it('the check fails on a stale copy', async () => {
    const stale = join(tmpdir(), `${randomUUID()}.ts`);
    await writeFile(stale, (await readFile(API_TYPES_FILE, 'utf8')).replace('"/v1/releases/{id}/cancel"', '"/v1/releases/{id}/abort"'));
    expect(await check(stale)).toEqual({ code: 1, stdout: expect.stringContaining('is stale: run npm run openapi:types') });
  });
});

describe('gatekeeper', () => {
  it('prints commands and exit codes for --help; a usage error exits 1 with a message', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const text of ['release', 'status', 'approvals', 'approve', 'reject', 'cancel', 'rollback', 'audit', 'admin', '6  timed out waiting']) expect(help.stdout).toContain(text);
    const missing = await run(['release', '--app', 'hello-web']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--image <image>' not specified");
    const tag = await run(['release', '--app', 'hello-web', '--image', 'registry.example.com/hello-web:latest']);
    expect(tag).toMatchObject({ code: 1, stderr: expect.stringContaining('--image must be pinned by digest') });
    const noToken = await run(['approvals'], { GATEKEEPER_TOKEN: '' });
    expect(noToken).toMatchObject({ code: 1, stderr: expect.stringContaining('GATEKEEPER_TOKEN') });
  });

  it('release --wait follows a release to succeeded while alice approves through her emailed link (exit 0)', async () => {
    const cli = gatekeeper(['release', '--app', 'hello-web', '--image', image(), '--commit', '3f2a9c1', '--author', 'carol@example.com', '--label', 'a', '--label', 'b', '--wait']);
    const id = idIn(await cli.line(/ release .* started/));
    await cli.line(/ hello-web prod waiting_for_approval \(asked: .*alice@example\.com/);
    await approveByEmail(id, 'alice@example.com');
    const { code, stdout } = await cli.done;
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ hello-web /);
    expect(stdout).toMatch(/ hello-web staging deployed /);
    expect(stdout).toMatch(/ hello-web prod vote alice@example\.com approve/);
    expect(stdout).toMatch(/ hello-web prod rolled_out/);
    expect(lines.at(-1)).toMatch(/ hello-web release succeeded /);
    expect((await api(stack).call('GET', `/v1/releases/${id}`)).json).toMatchObject({ labels: ['a', 'b'], commit: '3f2a9c1' });
  });

  it('a rejection (bob, with the reject command and his personal token) exits 2', async () => {
    const cli = gatekeeper(['release', '--app', 'hello-web', '--image', image(), '--wait']);
    const id = idIn(await cli.line(/ release .* started/));
    await cli.line(/ prod waiting_for_approval/);
    const rejected = await run(['reject', id, '--env', 'prod', '--comment', 'not today'], { GATEKEEPER_TOKEN: await tokenFor(stack, 'bob@example.com') });
    expect(rejected).toMatchObject({ code: 0, stdout: expect.stringContaining(`rejected ${id} prod`) });
    const { code, stdout } = await cli.done;
    expect(code).toBe(2);
    expect(stdout).toMatch(/ prod vote bob@example\.com reject \("not today"\)/);
    expect(stdout).toMatch(/ release rejected /);
  });

  it('--timeout 1s while waiting for approval exits 6 and the release goes on; cancel ends it (status: exit 5)', async () => {
    const { code, stdout, stderr } = await run(['release', '--app', 'hello-web', '--image', image(), '--wait', '--timeout', '1s']);
    expect(code).toBe(6);
    expect(stderr).toContain('timed out waiting');
    const id = idIn(stdout);
    expect((await api(stack).release(id)).status).toBe('waiting_for_approval');
    expect(await run(['cancel', id])).toMatchObject({ code: 0, stdout: expect.stringContaining('cancelled') });
    expect((await run(['status', id])).code).toBe(5);
  });

  it('the same CI run (GitHub or GitLab variables) twice starts one release: the second prints the same id', async () => {
    const runs: Array<Record<string, string>> = [{ GITHUB_RUN_ID: String(seed), GITHUB_REPOSITORY: 'acme/hello-web' }, { CI_PIPELINE_ID: String(seed), CI_PROJECT_PATH: 'acme/hello-web' }];
    for (const ci of runs) {
      const args = ['release', '--app', 'hello-web', '--image', image()];
      const first = await run(args, ci);
      const second = await run(args, { ...ci, GITHUB_RUN_ATTEMPT: '2' });
      expect(first.code).toBe(0);
      expect(second).toMatchObject({ code: 0, stdout: expect.stringContaining('already started') });
      expect(idIn(second.stdout)).toBe(idIn(first.stdout));
      await api(stack).waitForStatus(idIn(first.stdout), ['waiting_for_approval']);
      expect((await run(['cancel', idIn(first.stdout)])).code).toBe(0);
    }
    // Eight CLI processes (each starts tsx): 30 s is too short on a busy two-core machine.
  }, 90_000);

  it('alice lists her pending approvals and approves with her personal token; status --watch then exits 0', async () => {
    const started = await run(['release', '--app', 'hello-web', '--image', image(), '--json']);
    const id = (JSON.parse(started.stdout) as { id: string }).id;
    await api(stack).waitForStatus(id, ['waiting_for_approval']);
    const alice = { GATEKEEPER_TOKEN: await tokenFor(stack, 'alice@example.com') };
    const listed = await run(['approvals', '--json'], alice);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ releaseId: string; environment: string }>).map((a) => [a.releaseId, a.environment])).toContainEqual([id, 'prod']);
    expect((await run(['approvals'], alice)).stdout).toContain(`${id} hello-web prod`);
    expect(await run(['approve', id, '--env', 'prod'], alice)).toMatchObject({ code: 0, stdout: expect.stringContaining(`approved ${id} prod`) });
    const watched = await run(['status', id, '--watch']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/ release succeeded /);
  });

  it('on a terminal, release --wait redraws a live view in place (stages, approvals x/y with who voted, elapsed) above which each change is kept', async () => {
    const cli = gatekeeper(['release', '--app', 'hello-web', '--image', image(), '--wait'], { CI: '', TERM: 'xterm' }, { tty: true });
    const id = idIn(await cli.line(/ release .* started/));
    await cli.line(/◷ prod\s+waiting for approval\s+approvals 0\/1 \(asked .*alice@example\.com/);
    await approveByEmail(id, 'alice@example.com');
    const { code, stdout } = await cli.done;
    expect(code).toBe(0);
    // log-update erases the previous frame's lines before drawing the next one.
    expect(stdout).toContain('\u001B[2K');
    expect(stdout.split(`hello-web release ${id}  `).length).toBeGreaterThan(3);
    expect(stdout).toMatch(/✔ prod\s+succeeded\s+approvals 1\/1: alice@example\.com ✔/);
    expect(stdout).toMatch(new RegExp(`hello-web release ${id}  succeeded  \\d+s`));
    expect(stdout).toMatch(/\d\dZ hello-web prod vote alice@example\.com approve/);

    // CI=true or --json on the same terminal: plain lines, no escapes.
    for (const [args, env] of [[['status', id, '--watch'], { CI: 'true' }], [['status', id, '--watch', '--json'], { CI: '' }]] as const) {
      const plain = await gatekeeper([...args], { ...env, TERM: 'xterm' }, { tty: true }).done;
      expect(plain.code).toBe(0);
      expect(plain.stdout).not.toContain('\u001B[');
      expect(plain.stdout).toMatch(/ release succeeded |"type":"release"/);
    }
  });

  it('release --commit sends the commit time from git when the checkout has the commit (the DORA lead time)', async () => {
    const commit = (await promisify(execFile)('git', ['rev-parse', 'HEAD'])).stdout.trim();
    const committedAt = (await promisify(execFile)('git', ['show', '-s', '--format=%cI', commit])).stdout.trim();
    const started = await run(['release', '--app', 'hello-web', '--image', image(), '--commit', commit, '--json']);
    const id = (JSON.parse(started.stdout) as { id: string }).id;
    expect((await api(stack).release(id)) as unknown).toMatchObject({ commit, committedAt: new Date(committedAt).toISOString() });
    await api(stack).waitForStatus(id, ['waiting_for_approval']);
    expect((await run(['cancel', id])).code).toBe(0);
  });

  it('audit verify checks an export offline, and names the first break of a tampered copy (exit 4)', async () => {
    const exported = await fetch(`${stack.apiUrl}/v1/audit/export?app=hello-web&format=jsonl`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
    expect(exported.status).toBe(200);
    const text = await exported.text();
    const file = join(tmpdir(), `${randomUUID()}.jsonl`);
    await writeFile(file, text);
    const intact = await run(['audit', 'verify', file], { GATEKEEPER_URL: 'http://127.0.0.1:9', GATEKEEPER_TOKEN: '' });
    expect(intact).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: \d+ events, head \d+ [0-9a-f]{64}/) });
    const lines = text.trim().split('\n');
    const third = JSON.parse(lines[2] ?? '{}') as { seq: number; actor: string };
    lines[2] = JSON.stringify({ ...third, actor: 'mallory@example.com' });
    const tampered = join(tmpdir(), `${randomUUID()}.jsonl`);
    await writeFile(tampered, `${lines.join('\n')}\n`);
    const broken = await run(['audit', 'verify', tampered]);
    expect(broken.code).toBe(4);
    expect(broken.stdout).toContain(`BROKEN at seq ${third.seq} (changed)`);
  });
});
