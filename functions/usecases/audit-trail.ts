import { auditEvent } from '../domain/audit';
import { verifyChain, type ChainBreak, type ChainedAuditEvent, type ChainHead } from '../domain/audit-chain';
import { checkCheckpoint, signCheckpoint, type AuditCheckpoint } from '../domain/audit-checkpoint';
import { toCsv, toJsonLines } from '../domain/audit-export';
import { ValidationError } from '../domain/errors';
import { isName, isNameOrWildcard } from '../domain/names';
import type { AuditQuery } from '../domain/ports';
import { isSafeText } from '../domain/text';
import type { UseCaseDeps } from './deps';
import { authorize } from './permissions';

/**
 * B3: browsing, verifying and exporting an app's hash-chained audit trail,
 * the one code path behind `/v1/audit*` and the dashboard's Audit page. App
 * `*` holds directory and token changes: admins only.
 */

type Deps = Pick<UseCaseDeps, 'directory' | 'auditTrail' | 'clock' | 'log'>;

/** Checks the app named (400) and that `identity` may read its trail (403). */
export async function authorizeAuditRead(deps: Pick<UseCaseDeps, 'directory'>, identity: string, app: string | undefined): Promise<string> {
  if (!isNameOrWildcard(app)) throw new ValidationError('pass app=<app name> (or app=* for directory and token changes)');
  if (app === '*') await authorize(deps.directory, identity, 'directory.manage', { app: '*', environment: '*' });
  else await authorize(deps.directory, identity, 'release.view', { app, environment: '*' });
  return app;
}

export type AuditFilters = Partial<Record<'environment' | 'actor' | 'from' | 'to' | 'cursor', string>>;

/** The filters as given (empty ones dropped), checked: an environment name, an identity, ISO date-times. */
export function auditQuery(filters: AuditFilters, limit: number): AuditQuery {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError('limit must be a whole number from 1 to 1000');
  const given = Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined && value !== '')) as AuditFilters;
  const query: AuditQuery = { limit, ...given };
  if (query.environment !== undefined && !isName(query.environment)) throw new ValidationError('environment must be an environment name');
  if (query.actor !== undefined && (query.actor.length > 254 || !isSafeText({ multiline: false })(query.actor))) throw new ValidationError('actor must be an identity (an email or ci:<name>)');
  for (const key of ['from', 'to'] as const) {
    if (query[key] && Number.isNaN(Date.parse(query[key]))) throw new ValidationError(`${key} must be an ISO date-time`);
  }
  return query;
}

/** One page of the app's chain in sequence order, filtered. */
export async function auditPage(deps: Deps, identity: string, app: string | undefined, filters: AuditFilters, limit: number): Promise<{ app: string; events: ChainedAuditEvent[]; cursor?: string }> {
  const name = await authorizeAuditRead(deps, identity, app);
  const page = await deps.auditTrail.page(name, auditQuery(filters, limit));
  return { app: name, ...page };
}

export type Verification = ({ ok: true } | { ok: false; firstBreak: ChainBreak }) & {
  /** How many events this pass checked: those after its starting point. */
  events: number;
  head: ChainHead;
  /** Where the pass started: event 0 (the genesis), or a signed checkpoint vouching for every event up to it. */
  from?: { seq: number; checkpointAt?: string };
};

type VerifyDeps = Deps & Pick<UseCaseDeps, 'signingSecret'>;

/**
 * Verifies the chain up to its stored head: from the latest signed checkpoint
 * (so one request suffices however long the chain), or from the genesis with
 * `full` or when there is no checkpoint to trust. Read only: checkpoints are
 * written by `checkpointAudit` (the audit:verify job), never by a verify.
 */
export async function verifyAudit(deps: VerifyDeps, identity: string, app: string | undefined, options: { full?: boolean } = {}): Promise<Verification> {
  const name = await authorizeAuditRead(deps, identity, app);
  const started = performance.now();
  const result = await verifyChainOf(deps, name, options.full === true);
  deps.log.info('audit verified', { app: name, ok: result.ok, events: result.events, from: result.from?.seq, ms: Math.round(performance.now() - started) });
  return result;
}

async function verifyChainOf(deps: Pick<UseCaseDeps, 'auditTrail' | 'signingSecret'>, app: string, full: boolean): Promise<Verification> {
  // The head first, then the events up to it: appends meanwhile are not this pass's business.
  const [head, stored] = await Promise.all([deps.auditTrail.head(app), full ? undefined : deps.auditTrail.checkpoint(app)]);
  const trust = stored && checkCheckpoint(await deps.signingSecret(stored.keyId), app, stored);
  if (stored && trust === 'forged') {
    const detail = `the stored checkpoint at event ${stored.seq} does not carry Gatekeeper's signature: it was altered or written without the key (verify the whole chain with full=true)`;
    return { ok: false, events: 0, head, from: { seq: 0 }, firstBreak: { kind: 'changed', seq: stored.seq, detail } };
  }
  // A checkpoint signed with a key since retired cannot be checked: start from the genesis instead.
  const checkpoint = trust === 'valid' ? stored : undefined;
  const from = checkpoint ? { seq: checkpoint.seq, checkpointAt: checkpoint.at } : { seq: 0 };
  if (checkpoint && head.seq < checkpoint.seq) {
    const detail = `the chain's head is event ${head.seq}, but a signed checkpoint vouches for events up to ${checkpoint.seq}: events were removed`;
    return { ok: false, events: 0, head, from, firstBreak: { kind: 'missing', seq: head.seq + 1, detail } };
  }
  const events = await deps.auditTrail.since(app, from.seq, head.seq);
  const result = verifyChain(events, { expectedHead: head, ...(checkpoint ? { startAfter: checkpoint } : {}) });
  if (result.ok || !result.firstBreak) return { ok: true, events: result.events, head, from };
  return { ok: false, events: result.events, head, from, firstBreak: result.firstBreak };
}

/**
 * Verifies from the latest checkpoint (or the genesis) to the head and, if
 * intact, signs and stores a checkpoint at that head, audited in the chain as
 * `audit.checkpointed`. For the scheduled job and auditors, not a GET.
 */
export async function checkpointAudit(deps: Pick<UseCaseDeps, 'auditTrail' | 'signingSecret' | 'clock' | 'newId'>, app: string, actor: string): Promise<{ verification: Verification; checkpoint?: AuditCheckpoint }> {
  const verification = await verifyChainOf(deps, app, false);
  if (!verification.ok || verification.head.seq === 0) return { verification };
  const checkpoint = signCheckpoint(await deps.signingSecret(), app, verification.head, deps.clock().toISOString());
  const audit = auditEvent(deps, { app, actor, action: 'audit.checkpointed', subject: `audit/checkpoint/${checkpoint.seq}`, detail: { seq: checkpoint.seq, hash: checkpoint.hash, keyId: checkpoint.keyId }, at: checkpoint.at });
  const saved = await deps.auditTrail.saveCheckpoint(checkpoint, audit);
  return saved ? { verification, checkpoint } : { verification };
}

export interface AuditExport {
  body: string;
  contentType: string;
  fileName: string;
  head: ChainHead;
}

/** The whole chain for auditors, as JSON Lines (verifiable offline) or CSV, with its head. */
export async function exportAudit(deps: Deps, identity: string, app: string | undefined, format: string | undefined): Promise<AuditExport> {
  const name = await authorizeAuditRead(deps, identity, app);
  const chosen = format ?? 'jsonl';
  if (chosen !== 'jsonl' && chosen !== 'csv') throw new ValidationError('format must be jsonl or csv');
  const [events, head] = await Promise.all([deps.auditTrail.all(name), deps.auditTrail.head(name)]);
  return {
    body: chosen === 'jsonl' ? toJsonLines(name, events, head, deps.clock().toISOString()) : toCsv(events, head),
    contentType: chosen === 'jsonl' ? 'application/x-ndjson' : 'text/csv; charset=utf-8',
    fileName: `gatekeeper-audit-${name === '*' ? 'directory' : name}-${head.seq}.${chosen}`,
    head,
  };
}
