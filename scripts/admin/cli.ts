import { InvalidArgumentError, type Command } from 'commander';
import { identitySchema, oneLine } from '../../functions/api/schemas';
import { ConfigurationError, readAwsConfig, readTableConfig, type AwsConfig, type Env } from '../../functions/config';
import { ROLES, type Role } from '../../functions/domain/authorization';
import { StoreUnavailableError } from '../../functions/domain/errors';
import { isNameOrWildcard, NAME_RULE } from '../../functions/domain/names';
import { CliError } from '../gatekeeper/errors';
import { resolveActor } from './actor';
import type { Command as AdminCommand, Outcome } from './commands';

/** How to point the admin commands at the table `npm start` creates (also said when TABLE_NAME is missing). */
export const LOCAL_SETTINGS = '`source .gatekeeper/env` sets TABLE_NAME and DYNAMODB_ENDPOINT';

export interface AdminIo {
  /** The configuration it reads (process.env in the real CLI). AWS credentials still come from the SDK's usual chain. */
  env: Env;
  stderr: (text: string) => void;
  /** The OS login, named only when nobody said who acts. */
  osUser?: () => string;
}

const HELP = `
These commands write to the table directly with your AWS credentials, before any admin
exists, and check no Gatekeeper roles. Day-to-day administration (policies, groups,
grants, tokens) is the management API, which does.

Every command takes --as <email>: who you are; the audit trail names you as the actor.
Default: $GATEKEEPER_ACTOR; with neither, your OS login (cli:<user>), with a warning.
--json (before or after the command) prints what was done as one JSON object.

Environment:
  TABLE_NAME          the Gatekeeper table (required): the stack's TableName output in AWS
  AWS_REGION          the stack's region (default us-east-1)
  AWS_PROFILE, AWS_ACCESS_KEY_ID, …   your AWS credentials, as for the AWS CLI
  DYNAMODB_ENDPOINT   only for the local stack: DynamoDB Local (no AWS credentials needed)
  GATEKEEPER_ACTOR    the default for --as
  Locally, with npm start running, ${LOCAL_SETTINGS}.

Examples:
  # bootstrap a fresh AWS deployment
  export TABLE_NAME=<TableName output> GATEKEEPER_ACTOR=you@example.com
  gatekeeper admin grant --user you@example.com --role admin
  gatekeeper admin token create --identity you@example.com --days 30
  gatekeeper admin app put examples/hello-web.app.json
  gatekeeper admin grant --user ci:my-pipeline --role deployer --app hello-web
  gatekeeper admin token create --identity ci:my-pipeline --days 90 --description "GitHub Actions"
  # against the local stack (npm run admin -- … is the same as gatekeeper admin …)
  source .gatekeeper/env
  npm run admin -- token create --identity ci:my-pipeline --as admin@example.com

Exit status: 0 done; 1 usage or configuration error, refused (the message says why) or failed.
`;

const identity = (flag: string) => (value: string) => {
  if (!identitySchema.safeParse(value.toLowerCase()).success) throw new InvalidArgumentError(`${flag} must be an email or ci:<name>`);
  return value.toLowerCase();
};
const role = (value: string): Role => {
  const found = ROLES.find((r) => r === value);
  if (!found) throw new InvalidArgumentError(`--role must be one of ${ROLES.join(', ')}`);
  return found;
};
const scope = (flag: string) => (value: string) => {
  if (!isNameOrWildcard(value)) throw new InvalidArgumentError(`${flag} must be * or a name (${NAME_RULE})`);
  return value;
};
const days = (value: string) => {
  // The API's limits for expiresInDays; Number('') and Number('1e2') would sneak past a plain Number().
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 366) throw new InvalidArgumentError('--days must be a whole number from 1 to 366');
  return Number(value);
};
const description = (value: string) => {
  if (!oneLine(200).safeParse(value).success) throw new InvalidArgumentError('--description must be one line of text, at most 200 characters');
  return value;
};

/**
 * `gatekeeper admin …` (and `npm run admin -- …`): grant, token create and
 * app put. Values are checked as the management API checks them; the
 * configuration is read only when a command runs, so help needs none.
 */
export function addAdminCommand(program: Command, io: AdminIo, print: (outcome: Outcome) => void): void {
  // program.command() hands down its settings (output, exit override) to admin and, from it, to each subcommand.
  const admin = program
    .command('admin')
    .description('bootstrap a Gatekeeper table directly in DynamoDB: the first admin, apps, tokens')
    .addHelpText('after', HELP)
    .showHelpAfterError('(run "gatekeeper admin --help", or "npm run admin -- --help", for usage)');
  const run = (command: AdminCommand, as: string | undefined) => runCommand(command, as, io).then(print);

  admin
    .command('grant')
    .description('grant a role to a person or a CI identity (granting what they already have changes nothing)')
    .requiredOption('--user <email|ci:name>', 'who', identity('--user'))
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, role)
    .option('--app <app>', 'the app, or * for every app', scope('--app'), '*')
    .option('--env <env>', 'the environment, or * for every environment', scope('--env'), '*')
    .option('--as <email>', 'who you are (the audit trail names you)')
    .action((o: { user: string; role: Role; app: string; env: string; as?: string }) => run({ name: 'grant', user: o.user, role: o.role, app: o.app, environment: o.env }, o.as));

  admin
    .command('token')
    .description('API tokens')
    .command('create')
    .description('create an API token: the secret is printed once, only its SHA-256 is stored')
    .requiredOption('--identity <email|ci:name>', 'whose token', identity('--identity'))
    .option('--days <1-366>', 'expires after this many days (default: never)', days)
    .option('--description <text>', 'what it is for (one line)', description)
    .option('--as <email>', 'who you are (the audit trail names you)')
    .action((o: { identity: string; days?: number; description?: string; as?: string }) =>
      run({ name: 'token create', identity: o.identity, ...(o.days ? { days: o.days } : {}), ...(o.description ? { description: o.description } : {}) }, o.as),
    );

  admin
    .command('app')
    .description('apps')
    .command('put')
    .description('register a new app from a file like examples/hello-web.app.json; an app already registered is refused (change a policy with PUT /v1/apps/<app>/envs/<env>/policy, which voids the requests pending under the old one)')
    .argument('<file.json>', '{ "name", "environments": [ … ] }: the body of PUT /v1/apps/{name}, with the name')
    .option('--as <email>', 'who you are (the audit trail names you)')
    .action((file: string, o: { as?: string }) => run({ name: 'app put', file }, o.as));
}

async function runCommand(command: AdminCommand, as: string | undefined, io: AdminIo): Promise<Outcome> {
  const config = readConfig(io.env);
  const who = resolveActor(as, io.env, io.osUser ?? (() => 'unknown'));
  if ('error' in who) throw new CliError(who.error);
  if (who.warning) io.stderr(`gatekeeper: ${who.warning}\n`);
  // DynamoDB Local accepts any credentials, but the SDK (which reads process.env) will not sign without some.
  // Only for a loopback endpoint and no profile, so real AWS credentials are never shadowed.
  if (config.aws.DYNAMODB_ENDPOINT && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(config.aws.DYNAMODB_ENDPOINT) && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
  }
  // Loaded only for a real command: help and usage errors need no AWS SDK.
  const [{ createDocumentClient }, { execute }] = await Promise.all([import('../../functions/adapters/dynamodb/client'), import('./commands')]);
  const db = createDocumentClient(config.aws);
  try {
    return await execute(command, { db, tableName: config.tableName, actor: who.actor, clock: () => new Date() });
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(describeFailure(error, config));
  } finally {
    db.destroy();
  }
}

interface Config {
  aws: AwsConfig;
  tableName: string;
}

function readConfig(env: Env): Config {
  if (!env.TABLE_NAME) throw new CliError(`TABLE_NAME is not set: it names the Gatekeeper DynamoDB table, the stack's TableName output in AWS; locally, ${LOCAL_SETTINGS}`);
  try {
    // The SDK would find a profile's region itself, but the config record always names one: honour the AWS CLI's other variable too.
    const aws = readAwsConfig({ ...env, AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION });
    return { aws, tableName: readTableConfig(env).TABLE_NAME };
  } catch (error) {
    if (error instanceof ConfigurationError) throw new CliError(error.message);
    throw error;
  }
}

/** One line a person can act on; never a stack trace. */
function describeFailure(error: unknown, config: Config): string {
  if (!(error instanceof Error)) return String(error);
  const where = config.aws.DYNAMODB_ENDPOINT ? `at ${config.aws.DYNAMODB_ENDPOINT}` : `in ${config.aws.AWS_REGION}`;
  if (error.name === 'ResourceNotFoundException') {
    return `table "${config.tableName}" does not exist ${where}; check TABLE_NAME${config.aws.DYNAMODB_ENDPOINT ? ' (npm start creates gatekeeper-local)' : ' and AWS_REGION'}`;
  }
  if (error instanceof StoreUnavailableError) {
    // The client's message is written for the API ("try again shortly"); here a person can check the endpoint.
    const cause = error.cause instanceof Error ? ((error.cause as { code?: string }).code ?? error.cause.name) : 'no answer';
    return `could not reach DynamoDB ${where} (${cause})${config.aws.DYNAMODB_ENDPOINT ? '; is npm start running?' : ''}`;
  }
  if (error.name === 'CredentialsProviderError') return `no AWS credentials (${error.message}); configure them as for the AWS CLI (AWS_PROFILE, aws sso login, …)`;
  return error.message;
}
