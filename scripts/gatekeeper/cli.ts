import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { verifyChain } from '../../functions/domain/audit-chain';
import { MalformedExportError, parseJsonLines } from '../../functions/domain/audit-export';
import { addAdminCommand } from '../admin/cli';
import { answer, ApiError, createApi, ok, type ApiClient } from './client';
import { CliError } from './errors';
import { EXIT, exitCodeOf, follow, formatEvent, timestamp, type FollowEvent } from './follow';
import type { LiveView } from './live-view';
import { ciIdempotencyKey, commitTime, IDEMPOTENCY_KEY, IMAGE, inCi, parseDuration, RELEASE_ID, type Env } from './options';
import type { Approval, Release } from './types';

export interface CliIo {
  env: Env;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Present when stdout is a terminal: a view following a release redraws in place there. */
  liveView?: () => LiveView;
  /** `git show -s --format=%cI <commit>` in the working directory; undefined when git does not know the commit. */
  commitTime?: (commit: string) => string | undefined;
  /** The OS login: the admin commands' actor when nobody said who acts. */
  osUser?: () => string;
}

const EXIT_HELP = `
Exit status:
  0  done (release: succeeded; audit verify: the chain is intact)
  1  usage, configuration or connection error, or the API (or admin) refused the request
  2  the release was rejected
  3  the release expired (nobody decided in time)
  4  the release failed (or was rolled back); audit verify: the chain is broken
  5  the release was cancelled or superseded
  6  timed out waiting (--timeout); the release goes on

Environment:
  GATEKEEPER_URL     the API's base URL (or --url), e.g. https://gatekeeper.example.com
  GATEKEEPER_TOKEN   an API token (or --token): a CI token, or your personal token
  GITHUB_RUN_ID + GITHUB_REPOSITORY, CI_PIPELINE_ID + CI_PROJECT_PATH
                     when set, release derives its Idempotency-Key from them, the app and the image
  CI                 when set (CI=true), following prints plain lines even on a terminal

release --commit without --committed-at sends the commit's time from git (the working
directory's checkout) or GitLab's CI_COMMIT_TIMESTAMP, for the DORA lead time.
On a terminal, --wait and --watch show a live view (stages, approvals, elapsed time).
`;

const collect = (value: string, previous: string[]) => [...previous, value];

function duration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected a duration such as 2h, 30m, 90s or 1h30m');
  return ms;
}

function releaseId(text: string): string {
  if (!RELEASE_ID.test(text)) throw new InvalidArgumentError('expected a release id (a UUID)');
  return text;
}

interface Global {
  url?: string;
  token?: string;
  json?: boolean;
}

/** `gatekeeper <argv…>`; resolves to the exit status (above). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.succeeded;
  const pollMs = Number(io.env.GATEKEEPER_POLL_MS ?? 2000);
  const program = new Command('gatekeeper')
    .description('Start, follow and decide Gatekeeper releases from CI or a terminal; bootstrap a table (admin).')
    .option('--url <url>', 'the API base URL (default: $GATEKEEPER_URL)')
    .option('--token <token>', 'an API token (default: $GATEKEEPER_TOKEN)')
    .option('--json', 'machine-readable output: JSON (one object per line while following)')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(run "gatekeeper --help" for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const global = () => program.opts<Global>();
  const out = (value: unknown, text: string) => io.stdout(`${global().json ? JSON.stringify(value) : text}\n`);
  const api = (): ApiClient => {
    const url = global().url ?? io.env.GATEKEEPER_URL;
    const token = global().token ?? io.env.GATEKEEPER_TOKEN;
    if (!url) throw new CliError('no API URL: set GATEKEEPER_URL or pass --url');
    if (!/^https?:\/\/\S+$/.test(url)) throw new CliError(`--url/GATEKEEPER_URL must be an http(s) URL; got "${url}"`);
    if (!token) throw new CliError('no API token: set GATEKEEPER_TOKEN or pass --token');
    return createApi(url, token);
  };
  const emit = (event: FollowEvent) => io.stdout(`${global().json ? JSON.stringify({ type: 'event', ...event }) : formatEvent(event)}\n`);
  const warn = (message: string) => io.stderr(`${timestamp(new Date())} gatekeeper: ${message}\n`);
  // CI logs (and pipes, and --json readers) get plain lines; a person at a terminal gets the live view.
  const liveView = () => (io.liveView && !global().json && !inCi(io.env) && io.env.TERM !== 'dumb' ? io.liveView() : undefined);
  const followAndReport = async (client: ApiClient, id: string, timeoutMs: number, first?: Release) => {
    const view = liveView();
    let result: Awaited<ReturnType<typeof follow>>;
    try {
      result = await follow({ api: client, id, timeoutMs, pollMs, emit: view?.event ?? emit, warn: view?.warn ?? warn, ...(view ? { onSnapshot: view.show } : {}), ...(first ? { first } : {}) });
    } finally {
      view?.stop();
    }
    if (global().json && result.release) io.stdout(`${JSON.stringify({ type: 'release', exitCode: result.code, release: result.release })}\n`);
    return result.code;
  };

  program
    .command('release')
    .description('start a release of an image pinned by digest; with --wait, follow it to its end')
    .requiredOption('--app <app>', 'the app')
    .requiredOption('--image <image>', 'the image, <repo>@sha256:<64 hex>')
    .option('--commit <sha>', 'the commit (hex SHA)')
    .option('--committed-at <time>', 'when the commit was made (ISO 8601 with offset), the start of the DORA lead time (default: from git or CI for --commit)')
    .option('--author <email>', 'the commit author (never counts as an approver)')
    .option('--label <label>', 'a label (repeatable)', collect, [])
    .option('--comment <text>', 'a comment for the approvers')
    .option('--approver <email>', 'ask only this approver (repeatable)', collect, [])
    .option('--idempotency-key <key>', 'default: derived from the CI run, app and image (GitHub Actions, GitLab CI)')
    .option('--wait', 'follow the release until it ends; the exit status says how')
    .addOption(new Option('--timeout <duration>', 'with --wait: stop waiting after this long (exit 6)').default(2 * 3_600_000, '2h').argParser(duration))
    .addHelpText('after', EXIT_HELP)
    .action(async (o: { app: string; image: string; commit?: string; committedAt?: string; author?: string; label: string[]; comment?: string; approver: string[]; idempotencyKey?: string; wait?: boolean; timeout: number }) => {
      if (!IMAGE.test(o.image)) throw new CliError(`--image must be pinned by digest, <repo>@sha256:<64 hex>; got "${o.image}"`);
      const key = o.idempotencyKey ?? ciIdempotencyKey(io.env, o.app, o.image);
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw new CliError('--idempotency-key must be 1–128 letters, digits, ".", ":", "_" or "-"');
      const client = api();
      const committedAt = o.committedAt ?? (o.commit ? commitTime(io.env, o.commit, io.commitTime) : undefined);
      const { data, response } = await answer<Release>(
        client.POST('/v1/releases', {
          body: {
            app: o.app,
            image: o.image,
            ...(o.commit ? { commit: o.commit } : {}),
            ...(committedAt ? { committedAt } : {}),
            ...(o.author ? { author: o.author } : {}),
            ...(o.label.length ? { labels: o.label } : {}),
            ...(o.comment ? { comment: o.comment } : {}),
            ...(o.approver.length ? { approvers: o.approver } : {}),
          },
          params: { header: key ? { 'Idempotency-Key': key } : {} },
        }),
        `release ${o.app}`,
      );
      const release = data;
      const replayed = response.headers.get('idempotent-replayed') === 'true';
      if (!o.wait) {
        out(release, `${release.id}${replayed ? ' (already started by an earlier attempt)' : ''}`);
        return;
      }
      if (!global().json) io.stdout(`${timestamp(new Date())} ${release.app} release ${release.id} ${replayed ? 'already started (same idempotency key)' : 'started'}\n`);
      code = await followAndReport(client, release.id, o.timeout, release);
    });

  program
    .command('status')
    .description('show a release; with --watch, follow it to its end (exit status as for release --wait)')
    .argument('<id>', 'the release id', releaseId)
    .option('--watch', 'follow the release until it ends')
    .addOption(new Option('--timeout <duration>', 'with --watch: stop after this long (exit 6)').default(2 * 3_600_000, '2h').argParser(duration))
    .addHelpText('after', EXIT_HELP)
    .action(async (id: string, o: { watch?: boolean; timeout: number }) => {
      const client = api();
      if (o.watch) {
        code = await followAndReport(client, id, o.timeout);
        return;
      }
      const release = await ok<Release>(client.GET('/v1/releases/{id}', { params: { path: { id } } }), `release ${id}`);
      const stages = release.stages.map((s) => `  ${s.environment}: ${s.status}${s.detail ? ` (${s.detail})` : ''}`).join('\n');
      out(release, `${release.id} ${release.app} ${release.status}${release.reason ? `: ${release.reason}` : ''}\n  image: ${release.image}\n${stages}`);
      code = exitCodeOf(release.status) ?? EXIT.succeeded;
    });

  program
    .command('approvals')
    .description('the approval requests you may still decide')
    .action(async () => {
      const { approvals } = await ok<{ approvals: Approval[] }>(api().GET('/v1/approvals', { params: { query: { status: 'pending' } } }), 'approvals');
      const lines = approvals.map((a) => `${a.releaseId} ${a.app} ${a.environment} ${a.image ?? ''} requested by ${a.requestedBy ?? '?'}, ${a.ageSeconds ?? 0}s ago: ${a.summary ?? a.status}`);
      out(approvals, lines.length ? lines.join('\n') : 'nothing waits for your decision');
    });

  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(decision)
      .description(`${decision} a release's request for one environment, as yourself (your personal token)`)
      .argument('<releaseId>', 'the release id', releaseId)
      .requiredOption('--env <env>', 'the environment')
      .option('--comment <text>', 'a comment (recorded with the vote)')
      .action(async (id: string, o: { env: string; comment?: string }) => {
        const answer = await ok<{ status?: string; summary?: string }>(
          api().POST('/v1/approvals/{id}/decision', { params: { path: { id: `${id}.${o.env}` } }, body: { decision, ...(o.comment ? { comment: o.comment } : {}) } }),
          `${decision} ${id} ${o.env}`,
        );
        out(answer, `${decision === 'approve' ? 'approved' : 'rejected'} ${id} ${o.env}: ${answer.summary ?? answer.status ?? ''}`);
      });
  }

  program
    .command('cancel')
    .description('cancel a release while an environment waits for approval (its requester)')
    .argument('<id>', 'the release id', releaseId)
    .action(async (id: string) => {
      const answer = await ok<{ id: string; status: string }>(api().POST('/v1/releases/{id}/cancel', { params: { path: { id } } }), `cancel ${id}`);
      out(answer, `${answer.id} ${answer.status}`);
    });

  program
    .command('rollback')
    .description('redeploy an earlier deployment of an environment (default: the last good one)')
    .requiredOption('--app <app>', 'the app')
    .requiredOption('--env <env>', 'the environment')
    .requiredOption('--reason <text>', 'why (audited)')
    .option('--to <deploymentId>', 'the deployment to go back to')
    .action(async (o: { app: string; env: string; reason: string; to?: string }) => {
      const answer = await ok<{ id: string; status: string; target?: unknown }>(
        api().POST('/v1/apps/{app}/envs/{env}/rollback', { params: { path: { app: o.app, env: o.env } }, body: { reason: o.reason, ...(o.to ? { deploymentId: o.to } : {}) } }),
        `rollback ${o.app} ${o.env}`,
      );
      out(answer, `${answer.id} ${answer.status} (follow it: gatekeeper status ${answer.id} --watch)`);
    });

  addAdminCommand(program, io, ({ json, text }) => out(json, text));

  program
    .command('audit')
    .description('audit trail tools')
    .command('verify')
    .description('verify an audit export (GET /v1/audit/export, JSON Lines) offline: no network, no token')
    .argument('<file>', 'the export, .jsonl')
    .action(async (file: string) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
      }
      let parsed: ReturnType<typeof parseJsonLines>;
      try {
        parsed = parseJsonLines(text);
      } catch (error) {
        if (error instanceof MalformedExportError) throw new CliError(`${file}: ${error.message}`);
        throw error;
      }
      // Without the head line a cut-off file would look intact (as scripts/audit-verify.ts).
      if (!parsed.head) throw new CliError(`${file}: no head line at the end; the export is incomplete and cannot be verified`);
      const result = verifyChain(parsed.events, { expectedHead: parsed.head });
      if (result.firstBreak) {
        const { seq, kind, detail } = result.firstBreak;
        out({ ok: false, firstBreak: result.firstBreak }, `BROKEN at seq ${seq} (${kind}): ${detail}`);
        code = EXIT.failed;
        return;
      }
      out({ ok: true, events: result.events, head: parsed.head }, `OK: ${result.events} events, head ${parsed.head.seq} ${parsed.head.hash}`);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage;
    if (error instanceof CliError || error instanceof ApiError) {
      io.stderr(`gatekeeper: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
