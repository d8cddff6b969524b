/**
 * `npm run admin -- <command>`: bootstraps a Gatekeeper table (first admin,
 * apps, tokens) directly in DynamoDB, with the operator's AWS credentials.
 * `npm run admin -- --help` prints the commands; the code is in scripts/admin/.
 */
import { userInfo } from 'node:os';
import { runAdmin } from './admin/main';

// DynamoDB Local accepts any credentials, but the SDK will not sign without some.
// Only for a loopback endpoint and no profile, so real AWS credentials are never shadowed.
const endpoint = process.env.DYNAMODB_ENDPOINT;
if (endpoint && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(endpoint) && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
}

process.exitCode = await runAdmin(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  osUser: () => userInfo().username,
});
