/**
 * `npm run admin -- <command>`: registers apps and CI tokens in a Gatekeeper
 * table, in AWS (your credentials, TABLE_NAME from the stack outputs) or
 * locally (DYNAMODB_ENDPOINT=http://127.0.0.1:8006 TABLE_NAME=gatekeeper-local).
 *
 *   app put <file.json>                         register or replace an app and its environments
 *   token create --identity ci:<name> [--days N] create a CI token (printed once, stored hashed)
 *
 * Day-to-day administration (policies, groups, grants, tokens) is the
 * management API; this CLI bootstraps a fresh deployment before any admin exists.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { DynamoCatalogWriter } from '../functions/adapters/dynamodb/catalog-writer';
import { createDocumentClient } from '../functions/adapters/dynamodb/client';
import { DynamoTokenStore } from '../functions/adapters/dynamodb/token-store';
import { readAwsConfig, readTableConfig } from '../functions/config';
import type { AuditAction, AuditEvent } from '../functions/domain/audit';
import type { App } from '../functions/domain/catalog';
import { DEFAULT_POLICY, parsePolicy } from '../functions/domain/policy';
import { generateToken, tokenRecord } from '../functions/domain/token';

const name = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'));
const appFile = z.strictObject({
  name,
  environments: z
    .array(
      z.strictObject({
        name,
        namespace: name,
        deployment: name,
        container: name,
        /** As `PUT /v1/apps/{app}/envs/{env}/policy` takes it; omitted = the default (1 approval, 72 h). */
        policy: z.optional(z.unknown()),
      }),
    )
    .check(z.length(2, 'an app has exactly two environments: staging then production')),
});

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
    const parsed = appFile.safeParse(JSON.parse(await readFile(rest[0], 'utf8')));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
    const app: App = {
      name: parsed.data.name,
      environments: parsed.data.environments.map((env, order) => ({
        app: parsed.data.name,
        name: env.name,
        order,
        target: { namespace: env.namespace, deployment: env.deployment, container: env.container },
        policy: env.policy === undefined ? DEFAULT_POLICY : parsePolicy(env.policy),
      })),
    };
    await catalog.putApp(app, audit(app.name, 'app.registered', `app/${app.name}`));
    console.log(`registered ${app.name}: ${app.environments.map((e) => `${e.name} (${e.policy.required} approval(s))`).join(' → ')}`);
  } else if (command === 'token' && subcommand === 'create') {
    const { values } = parseArgs({ args: rest, options: { identity: { type: 'string' }, days: { type: 'string' } } });
    if (!values.identity?.startsWith('ci:')) throw new Error('--identity ci:<pipeline name> is required');
    const token = generateToken();
    const days = values.days ? Number(values.days) : undefined;
    const record = tokenRecord(token, {
      identity: values.identity,
      type: 'ci',
      createdAt: now.toISOString(),
      createdBy: actor,
      ...(days ? { expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString() } : {}),
    });
    await new DynamoTokenStore(db, tableName).create(record, audit('*', 'token.created', `token/${record.id}`));
    console.log(`CI token for ${values.identity} (shown once, store it in your CI secrets):\n${token}`);
  } else {
    console.error('usage: npm run admin -- app put <file.json> | token create --identity ci:<name> [--days N]');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`admin: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  db.destroy();
}
