/**
 * `npm run audit:verify -- <export.jsonl>`: checks an audit export offline,
 * with nothing but the file: no AWS credentials, no configuration.
 *
 * The export's last line records the chain's head at export time; the events
 * must end exactly there, which catches a truncated file. That line travels
 * with the file, though: for full assurance compare the printed head with one
 * obtained independently (another export, the API, a note in a ticket).
 *
 * Exit status: 0 the chain is intact (`OK: <N> events, head <seq> <hash>`),
 * 1 the chain is broken (`BROKEN at seq <n> (<kind>): <detail>`),
 * 2 nothing could be verified: bad usage, unreadable file, or a malformed
 * export (the message names the line), including one without its head line.
 */
import { readFile } from 'node:fs/promises';
import { verifyChain } from '../functions/domain/audit-chain';
import { MalformedExportError, parseJsonLines } from '../functions/domain/audit-export';

const USAGE = 'usage: npm run audit:verify -- <export.jsonl>';

function fail(message: string): void {
  console.error(`audit-verify: ${message}`);
  process.exitCode = 2;
}

async function main(args: string[]): Promise<void> {
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

  const result = verifyChain(parsed.events, { expectedHead: parsed.head });
  if (result.firstBreak) {
    console.log(`BROKEN at seq ${result.firstBreak.seq} (${result.firstBreak.kind}): ${result.firstBreak.detail}`);
    process.exitCode = 1;
    return;
  }
  console.log(`OK: ${result.events} events, head ${parsed.head.seq} ${parsed.head.hash}`);
}

await main(process.argv.slice(2));
