/**
 * `npx gatekeeper <command>` (bin/gatekeeper.mjs runs this file with tsx):
 * the CLI CI and people use against the API. `--help` lists the commands and
 * exit statuses; the code is in scripts/gatekeeper/cli.ts.
 */
import { runCli } from './cli';
import { processIo } from './process-io';

process.exitCode = await runCli(process.argv.slice(2), processIo());
