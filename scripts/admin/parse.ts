import { parseArgs } from 'node:util';
import { identitySchema, oneLine } from '../../functions/api/schemas';
import { ROLES, type Role } from '../../functions/domain/authorization';
import { isNameOrWildcard, NAME_RULE } from '../../functions/domain/names';

/** A command with every value checked, the way the management API checks the same fields. */
export type Command =
  | { name: 'grant'; user: string; role: Role; app: string; environment: string }
  | { name: 'token create'; identity: string; days?: number; description?: string }
  | { name: 'app put'; file: string };

export type Invocation =
  | { kind: 'help' }
  /** Bad usage: nothing is read or written, exit 2. */
  | { kind: 'invalid'; message: string }
  | { kind: 'run'; command: Command; as?: string };

const text = { type: 'string' } as const;
/** Options every command takes. */
const COMMON = { as: text } as const;

class UsageError extends Error {}

/** `argv` as given after `npm run admin --`. */
export function parseInvocation(argv: readonly string[]): Invocation {
  const [first, second] = argv;
  // Asking for help anywhere (`token --help`, `grant --user x --help`) gets it, rather than an error about what is missing.
  if (first === undefined || first === 'help' || argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  try {
    if (first === 'grant') return grant(argv.slice(1));
    if (first === 'token' && second === 'create') return tokenCreate(argv.slice(2));
    if (first === 'app' && second === 'put') return appPut(argv.slice(2));
    const name = first === 'token' || first === 'app' ? [first, second].filter(Boolean).join(' ') : first;
    return { kind: 'invalid', message: `unknown command "${name}"` };
  } catch (error) {
    const command = first === 'grant' ? first : `${first} ${second}`;
    if (error instanceof UsageError || isParseArgsError(error)) return { kind: 'invalid', message: `${command}: ${error.message}` };
    throw error;
  }
}

function grant(args: string[]): Invocation {
  const { values } = parse(args, { user: text, role: text, app: text, env: text });
  const user = identity(values.user, '--user');
  if (values.role === undefined) throw new UsageError(`--role is required (one of ${ROLES.join(', ')})`);
  const role = ROLES.find((r) => r === values.role);
  if (!role) throw new UsageError(`--role must be one of ${ROLES.join(', ')}; got "${values.role}"`);
  return { kind: 'run', command: { name: 'grant', user, role, app: scope(values.app, '--app'), environment: scope(values.env, '--env') }, ...actor(values.as) };
}

function tokenCreate(args: string[]): Invocation {
  const { values } = parse(args, { identity: text, days: text, description: text });
  const command: Command = { name: 'token create', identity: identity(values.identity, '--identity') };
  if (values.days !== undefined) {
    // The API's limits for expiresInDays; Number('') and Number('1e2') would sneak past a plain Number().
    if (!/^\d{1,3}$/.test(values.days) || Number(values.days) < 1 || Number(values.days) > 366) {
      throw new UsageError(`--days must be a whole number from 1 to 366; got "${values.days}"`);
    }
    command.days = Number(values.days);
  }
  if (values.description !== undefined) {
    if (!oneLine(200).safeParse(values.description).success) throw new UsageError('--description must be one line of text, at most 200 characters');
    command.description = values.description;
  }
  return { kind: 'run', command, ...actor(values.as) };
}

function appPut(args: string[]): Invocation {
  const { values, positionals } = parse(args, {}, true);
  const [file] = positionals;
  if (file === undefined || positionals.length !== 1) throw new UsageError(`needs exactly one file (got ${positionals.length}): app put <file.json>`);
  return { kind: 'run', command: { name: 'app put', file }, ...actor(values.as) };
}

type Options = Record<string, typeof text>;

function parse<O extends Options>(args: string[], options: O, allowPositionals = false) {
  return parseArgs({ args, options: { ...COMMON, ...options }, strict: true, allowPositionals });
}

function identity(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`${flag} is required: an email, or ci:<name> for a CI identity`);
  if (!identitySchema.safeParse(value.toLowerCase()).success) throw new UsageError(`${flag} must be an email or ci:<name>; got "${value}"`);
  return value.toLowerCase();
}

function scope(value: string | undefined, flag: string): string {
  if (value === undefined) return '*';
  if (!isNameOrWildcard(value)) throw new UsageError(`${flag} must be * or a name (${NAME_RULE}); got "${value}"`);
  return value;
}

/** `--as` is checked in actor.ts with GATEKEEPER_ACTOR, which it overrides. */
const actor = (as: string | undefined) => (as === undefined ? {} : { as });

/** Node's parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes and a readable message. */
function isParseArgsError(error: unknown): error is Error {
  return error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
}
