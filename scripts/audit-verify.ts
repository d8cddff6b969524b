/**
 * `npm run audit:verify -- <export.jsonl>`: checks an audit export offline,
 * with nothing but the file: no AWS credentials, no configuration.
 *
 * The export's last line records the chain's head at export time; the events
 * must end exactly there, which catches a truncated file. That line travels
 * with the file, though: for full assurance compare the printed head with one
 * obtained independently (another export, the API, a note in a ticket).
 *
 * `npm run audit:verify -- --app <app> [--checkpoint]`: the auditors' full
 * re-verification job, against the table itself (TABLE_NAME, AWS_REGION,
 * DYNAMODB_ENDPOINT locally; the operator's AWS credentials), one page at a
 * time so no chain is too long for it: every event from the first to the
 * stored head, and whether the stored checkpoint lies on that chain and carries
 * Gatekeeper's signature (with LINK_SIGNING_SECRET or LINK_SIGNING_SECRET_ARN).
 * `--checkpoint` then signs and stores a checkpoint at the head, so the API's
 * verify starts there (run it on a schedule).
 *
 * Exit status: 0 the chain is intact (`OK: <N> events, head <seq> <hash>`),
 * 1 the chain is broken (`BROKEN at seq <n> (<kind>): <detail>`),
 * 2 nothing could be verified: bad usage, unreadable file, or a malformed
 * export (the message names the line), including one without its head line.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DynamoAuditReader } from '../functions/adapters/dynamodb/audit-reader';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import { signingSecretSource } from '../functions/adapters/signing-secret';
import { readAwsConfig, readSigningConfig, readTableConfig } from '../functions/config';
import { EMPTY_CHAIN, verifyChain, type ChainHead, type VerifyResult } from '../functions/domain/audit-chain';
import { checkCheckpoint } from '../functions/domain/audit-checkpoint';
import { MalformedExportError, parseJsonLines } from '../functions/domain/audit-export';
import { checkpointAudit } from '../functions/usecases/audit-trail';

const USAGE = 'usage: npm run audit:verify -- <export.jsonl> | --app <app> [--checkpoint]';

function fail(message: string): void {
  console.error(`audit-verify: ${message}`);
  process.exitCode = 2;
}

function report(result: VerifyResult, head: ChainHead): void {
  if (result.firstBreak) {
    console.log(`BROKEN at seq ${result.firstBreak.seq} (${result.firstBreak.kind}): ${result.firstBreak.detail}`);
    process.exitCode = 1;
    return;
  }
  console.log(`OK: ${result.events} events, head ${head.seq} ${head.hash}`);
}

/** Every event from the first to the stored head, a Query page at a time; then the checkpoint against what was read. */
async function verifyTable(app: string, checkpointAfter: boolean): Promise<void> {
  const env = process.env;
  const db = createDocumentClient(readAwsConfig(env));
  const reader = new DynamoAuditReader(db, readTableConfig(env).TABLE_NAME);
  const signing = env.LINK_SIGNING_SECRET || env.LINK_SIGNING_SECRET_ARN ? signingSecretSource(readSigningConfig(env), readAwsConfig(env)) : undefined;
  try {
    const [head, checkpoint] = await Promise.all([reader.head(app), reader.checkpoint(app)]);
    let last: ChainHead = EMPTY_CHAIN;
    let events = 0;
    let atCheckpoint: string | undefined;
    for await (const page of reader.pages(app, 0, head.seq)) {
      const result = verifyChain(page, { startAfter: last });
      if (result.firstBreak) return report(result, head);
      atCheckpoint ??= page.find((event) => event.seq === checkpoint?.seq)?.hash;
      events += page.length;
      last = result.head ?? last;
    }
    const result = verifyChain([], { startAfter: last, expectedHead: head });
    if (result.firstBreak) return report({ ...result, events }, head);
    if (checkpoint) {
      const onChain = atCheckpoint === checkpoint.hash;
      const signature = signing ? checkCheckpoint(await signing(checkpoint.keyId), app, checkpoint) : 'not checked (no signing key configured)';
      console.log(`checkpoint at event ${checkpoint.seq} (${checkpoint.at}): ${onChain ? 'on the chain' : 'NOT on the chain'}, signature ${signature}`);
      if (!onChain || signature === 'forged') process.exitCode = 1;
    }
    report({ ok: true, events }, head);
    if (checkpointAfter && process.exitCode === undefined) {
      if (!signing) return fail('--checkpoint needs LINK_SIGNING_SECRET or LINK_SIGNING_SECRET_ARN');
      const { checkpoint: written } = await checkpointAudit({ auditTrail: reader, signingSecret: signing, clock: () => new Date(), newId: randomUUID }, app, 'system:audit-verify');
      console.log(written ? `checkpoint written at event ${written.seq}` : 'no checkpoint written (one as late is already stored)');
    }
  } finally {
    db.destroy();
  }
}

async function main(args: string[]): Promise<void> {
  if (args[0] === '--app') {
    const [, app, ...rest] = args;
    if (!app || rest.some((arg) => arg !== '--checkpoint')) return fail(USAGE);
    return verifyTable(app, rest.includes('--checkpoint'));
  }
  const [file, ...extra] = args;
  if (!file || extra.length > 0 || file.startsWith('-')) return fail(USAGE);

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return fail(`cannot read ${file}: ${(error as Error).message}`);
  }

  let parsed: ReturnType<typeof parseJsonLines>;
  try {
    parsed = parseJsonLines(text);
  } catch (error) {
    if (error instanceof MalformedExportError) return fail(`${file}: ${error.message}`);
    throw error;
  }
  // Without the head line a cut-off file would look intact, so it is refused rather than half-verified.
  if (!parsed.head) return fail(`${file}: no head line at the end; the export is incomplete and cannot be verified`);

  report(verifyChain(parsed.events, { expectedHead: parsed.head }), parsed.head);
}

await main(process.argv.slice(2));
