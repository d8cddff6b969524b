import { ConfigurationError, readAwsConfig, readTableConfig, type AwsConfig, type Env } from '../../functions/config';
import { StoreUnavailableError } from '../../functions/domain/errors';
import { resolveActor } from './actor';
import { parseInvocation } from './parse';
import { HELP_HINT, LOCAL_SETTINGS, USAGE } from './usage';

export interface AdminIo {
  /** The configuration it reads (process.env in the real CLI). AWS credentials still come from the SDK's usual chain. */
  env: Env;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The OS login, named only when nobody said who acts. */
  osUser: () => string;
}

/**
 * `npm run admin -- <argv…>`; resolves to the exit status: 0 done, 1 refused
 * or failed, 2 bad usage or configuration. Help needs no configuration, and
 * configuration is checked before anything touches AWS.
 */
export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  const invocation = parseInvocation(argv);
  if (invocation.kind === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (invocation.kind === 'invalid') {
    io.stderr(`admin: ${invocation.message}\n${HELP_HINT}\n`);
    return 2;
  }
  const config = readConfig(io.env);
  if ('error' in config) {
    io.stderr(`admin: ${config.error}\n`);
    return 2;
  }
  const who = resolveActor(invocation.as, io.env, io.osUser);
  if ('error' in who) {
    io.stderr(`admin: ${who.error}\n${HELP_HINT}\n`);
    return 2;
  }
  if (who.warning) io.stderr(`admin: ${who.warning}\n`);

  // Loaded only for a real command: help and usage errors need no AWS SDK.
  const [{ createDocumentClient }, { execute }] = await Promise.all([import('../../functions/adapters/dynamodb/client'), import('./commands')]);
  const db = createDocumentClient(config.aws);
  try {
    await execute(invocation.command, { db, tableName: config.tableName, actor: who.actor, clock: () => new Date(), print: (line) => io.stdout(`${line}\n`) });
    return 0;
  } catch (error) {
    io.stderr(`admin: ${describeFailure(error, config)}\n`);
    return 1;
  } finally {
    db.destroy();
  }
}

interface Config {
  aws: AwsConfig;
  tableName: string;
}

function readConfig(env: Env): Config | { error: string } {
  if (!env.TABLE_NAME) {
    return { error: `TABLE_NAME is not set: it names the Gatekeeper DynamoDB table (in AWS, the stack's TableName output; for npm start's local stack: ${LOCAL_SETTINGS})` };
  }
  try {
    // The SDK would find a profile's region itself, but the config record always names one: honour the AWS CLI's other variable too.
    const aws = readAwsConfig({ ...env, AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION });
    return { aws, tableName: readTableConfig(env).TABLE_NAME };
  } catch (error) {
    if (error instanceof ConfigurationError) return { error: error.message };
    throw error;
  }
}

/** One line (or a short paragraph) a person can act on; never a stack trace. */
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
