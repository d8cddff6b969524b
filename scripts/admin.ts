/**
 * `npm run admin -- <command>`: the same as `npx gatekeeper admin <command>`,
 * which bootstraps a Gatekeeper table (first admin, apps, tokens) directly in
 * DynamoDB with the operator's AWS credentials. The code is in scripts/admin/.
 */
import { runCli } from './gatekeeper/cli';
import { processIo } from './gatekeeper/process-io';

process.exitCode = await runCli(['admin', ...process.argv.slice(2)], processIo());
