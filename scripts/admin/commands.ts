import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCatalogWriter } from '../../functions/adapters/dynamodb/catalog-writer';
import { DynamoDirectoryStore } from '../../functions/adapters/dynamodb/directory-store';
import { DynamoTokenStore } from '../../functions/adapters/dynamodb/token-store';
import { appDefinitionSchema, toApp } from '../../functions/api/app-definition';
import type { AuditAction, AuditEvent } from '../../functions/domain/audit';
import type { App } from '../../functions/domain/catalog';
import { ValidationError } from '../../functions/domain/errors';
import type { Role } from '../../functions/domain/authorization';
import { generateToken, tokenRecord } from '../../functions/domain/token';
import { CliError } from '../gatekeeper/errors';

/** A command with every value checked (cli.ts), the way the management API checks the same fields. */
export type Command =
  | { name: 'grant'; user: string; role: Role; app: string; environment: string }
  | { name: 'token create'; identity: string; days?: number; description?: string }
  | { name: 'app put'; file: string };

export interface CommandContext {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** Who the audit trail names (see actor.ts). */
  actor: string;
  clock: () => Date;
}

/** What a command did: `json` for --json, `text` for people. */
export interface Outcome {
  json: Record<string, unknown>;
  text: string;
}

export async function execute(command: Command, context: CommandContext): Promise<Outcome> {
  switch (command.name) {
    case 'grant':
      return grant(command, context);
    case 'token create':
      return createToken(command, context);
    case 'app put':
      return registerApp(command.file, context);
  }
}

/** Audit events like the API's, plus where they came from: these writes bypass the API's role checks, and an auditor should see that. */
function audit(context: CommandContext, app: string, action: AuditAction, subject: string, detail: Record<string, unknown> = {}): AuditEvent {
  return { id: randomUUID(), app, actor: context.actor, action, subject, at: context.clock().toISOString(), detail: { ...detail, via: 'admin-cli' } };
}

async function grant(command: Extract<Command, { name: 'grant' }>, context: CommandContext): Promise<Outcome> {
  const directory = new DynamoDirectoryStore(context.db, context.tableName);
  const current = await directory.get();
  const where = `${command.app}/${command.environment}`;
  const existing = current.grants.find((g) => 'user' in g.subject && g.subject.user === command.user && g.role === command.role && g.app === command.app && g.environment === command.environment);
  // Re-running a bootstrap script must not pile up duplicate grants.
  if (existing) return { json: { changed: false, grant: existing }, text: `${command.user} already has ${command.role} on ${where} (${existing.id}); nothing changed` };
  const added = { id: `grant_${randomUUID().slice(0, 8)}`, subject: { user: command.user }, role: command.role, app: command.app, environment: command.environment };
  await directory.save({ ...current, grants: [...current.grants, added] }, current.version, audit(context, '*', 'directory.changed', `grant/${added.id}`, { grant: added }));
  return { json: { changed: true, grant: added }, text: `granted ${command.role} on ${where} to ${command.user} (${added.id})` };
}

async function createToken(command: Extract<Command, { name: 'token create' }>, context: CommandContext): Promise<Outcome> {
  const now = context.clock();
  const secret = generateToken();
  const record = tokenRecord(secret, {
    identity: command.identity,
    type: command.identity.startsWith('ci:') ? 'ci' : 'personal',
    createdAt: now.toISOString(),
    createdBy: context.actor,
    ...(command.description ? { description: command.description } : {}),
    ...(command.days ? { expiresAt: new Date(now.getTime() + command.days * 86_400_000).toISOString() } : {}),
  });
  await new DynamoTokenStore(context.db, context.tableName).create(
    record,
    audit(context, '*', 'token.created', `token/${record.id}`, { identity: record.identity, expiresAt: record.expiresAt }),
  );
  const expiry = record.expiresAt ? `expires ${record.expiresAt}` : 'never expires';
  return {
    json: { id: record.id, identity: record.identity, type: record.type, expiresAt: record.expiresAt ?? null, token: secret },
    text: `token ${record.id} for ${command.identity} (${expiry}; shown once, store it safely):\n${secret}`,
  };
}

/**
 * Registers a new app only, like `PUT /v1/apps/{app}`. Replacing an app would
 * replace its policies without voiding the requests pending under them (the
 * policy endpoint does that, and needs Step Functions to end their executions).
 */
async function registerApp(file: string, context: CommandContext): Promise<Outcome> {
  const app = await readAppFile(file);
  const registered = await new DynamoCatalogWriter(context.db, context.tableName).putApp(app, audit(context, app.name, 'app.registered', `app/${app.name}`, { file }), {
    keepExisting: true,
  });
  if (!registered) {
    throw new CliError(
      [
        `app ${app.name} is already registered; "app put" only registers new apps, so nothing was changed.`,
        `  To change an environment's policy (this voids the requests pending under the old one), with an admin token:`,
        `    curl -X PUT "$GATEKEEPER_URL/v1/apps/${app.name}/envs/<env>/policy" -H "Authorization: Bearer $ADMIN_TOKEN" \\`,
        `      -H 'Content-Type: application/json' -d @policy.json`,
      ].join('\n'),
    );
  }
  return {
    json: { app: app.name, environments: app.environments.map((e) => ({ name: e.name, required: e.policy.required })) },
    text: `registered ${app.name}: ${app.environments.map((e) => `${e.name} (${e.policy.required} approval(s))`).join(' → ')}`,
  };
}

/** `{ "name", "environments" }`: the API's body for `PUT /v1/apps/{name}`, with the name in the file. */
async function readAppFile(file: string): Promise<App> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw new CliError(`${file} must hold one JSON object: { "name": …, "environments": [ … ] }`);
  const { name, ...definition } = content as Record<string, unknown>;
  if (name === undefined) throw new CliError(`${file}: "name" is missing: the app's name, e.g. "name": "hello-web"`);
  const parsed = appDefinitionSchema.safeParse(definition);
  if (!parsed.success) throw new CliError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'the file'}: ${i.message}`).join('; ')}`);
  try {
    return toApp(String(name), parsed.data);
  } catch (error) {
    if (error instanceof ValidationError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}
