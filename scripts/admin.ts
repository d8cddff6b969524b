/**
 * `npm run admin -- <command>`: registers apps and CI tokens in a Gatekeeper
 * table, in AWS (your credentials, TABLE_NAME from the stack outputs) or
 * locally (DYNAMODB_ENDPOINT=http://127.0.0.1:8006 TABLE_NAME=gatekeeper-local).
 *
 *   app put <file.json>                         register or replace an app and its environments
 *   token create --identity <email|ci:name> [--days N]   create a token (printed once, stored hashed)
 *   grant --user <email|ci:name> --role <role> [--app A] [--env E]   grant a role (default: all apps, all envs)
 *
 * Bootstrapping AWS: `grant --user you@corp --role admin`, then `token create --identity you@corp`.
 * Day-to-day administration (policies, groups, grants, tokens) is the
 * management API; this CLI bootstraps a fresh deployment before any admin exists.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DynamoCatalogWriter } from '../functions/adapters/dynamodb/catalog-writer';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import { appDefinitionSchema, toApp } from '../functions/api/app-definition';
import { DynamoDirectoryStore } from '../functions/adapters/dynamodb/directory-store';
import { DynamoTokenStore } from '../functions/adapters/dynamodb/token-store';
import { ROLES } from '../functions/domain/authorization';
import { readAwsConfig, readTableConfig } from '../functions/config';
import type { AuditAction, AuditEvent } from '../functions/domain/audit';
import { generateToken, tokenRecord } from '../functions/domain/token';

const [command, subcommand, ...rest] = process.argv.slice(2);
const aws = readAwsConfig(process.env);
const db = createDocumentClient(aws);
const tableName = readTableConfig(process.env).TABLE_NAME;
const catalog = new DynamoCatalogWriter(db, tableName);
const now = new Date();
// The operator's login names the actor: the CLI runs with their AWS credentials.
const actor = `cli:${process.env.USER ?? 'unknown'}`;
const audit = (app: string, action: AuditAction, subject: string): AuditEvent => ({ id: randomUUID(), app, actor, action, subject, at: now.toISOString() });

try {
  if (command === 'app' && subcommand === 'put' && rest[0]) {
    const file = JSON.parse(await readFile(rest[0], 'utf8')) as { name?: unknown } & Record<string, unknown>;
    const { name, ...definition } = file;
    const parsed = appDefinitionSchema.safeParse(definition);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
    const app = toApp(String(name ?? ''), parsed.data);
    await catalog.putApp(app, audit(app.name, 'app.registered', `app/${app.name}`));
    console.log(`registered ${app.name}: ${app.environments.map((e) => `${e.name} (${e.policy.required} approval(s))`).join(' → ')}`);
  } else if (command === 'token' && subcommand === 'create') {
    const { values } = parseArgs({ args: rest, options: { identity: { type: 'string' }, days: { type: 'string' } } });
    if (!values.identity) throw new Error('--identity <email> or --identity ci:<pipeline name> is required');
    const token = generateToken();
    const days = values.days ? Number(values.days) : undefined;
    const record = tokenRecord(token, {
      identity: values.identity.toLowerCase(),
      type: values.identity.startsWith('ci:') ? 'ci' : 'personal',
      createdAt: now.toISOString(),
      createdBy: actor,
      ...(days ? { expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString() } : {}),
    });
    await new DynamoTokenStore(db, tableName).create(record, audit('*', 'token.created', `token/${record.id}`));
    console.log(`token for ${values.identity} (shown once, store it safely):\n${token}`);
  } else if (command === 'grant') {
    const { values } = parseArgs({ args: [subcommand ?? '', ...rest].filter(Boolean), options: { user: { type: 'string' }, role: { type: 'string' }, app: { type: 'string' }, env: { type: 'string' } } });
    const role = ROLES.find((r) => r === values.role);
    if (!values.user || !role) throw new Error(`--user and --role (${ROLES.join(', ')}) are required`);
    const directory = new DynamoDirectoryStore(db, tableName);
    const current = await directory.get();
    const grant = { id: `grant_${randomUUID().slice(0, 8)}`, subject: { user: values.user.toLowerCase() }, role, app: values.app ?? '*', environment: values.env ?? '*' };
    await directory.save({ ...current, grants: [...current.grants, grant] }, current.version, audit('*', 'directory.changed', `grant/${grant.id}`));
    console.log(`granted ${role} on ${grant.app}/${grant.environment} to ${grant.subject.user} (${grant.id})`);
  } else {
    console.error('usage: npm run admin -- app put <file.json> | token create --identity <email|ci:name> [--days N] | grant --user <id> --role <role> [--app A] [--env E]');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`admin: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  db.destroy();
}
