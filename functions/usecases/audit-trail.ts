import { verifyChain, type ChainBreak, type ChainedAuditEvent, type ChainHead } from '../domain/audit-chain';
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

export type Verification = { ok: true; events: number; head: ChainHead } | { ok: false; events: number; head: ChainHead; firstBreak: ChainBreak };

/** Recomputes the whole chain against its stored head: intact, or the first break and why. */
export async function verifyAudit(deps: Deps, identity: string, app: string | undefined): Promise<Verification> {
  const name = await authorizeAuditRead(deps, identity, app);
  const started = performance.now();
  const [events, head] = await Promise.all([deps.auditTrail.all(name), deps.auditTrail.head(name)]);
  const result = verifyChain(events, { expectedHead: head });
  deps.log.info('audit verified', { app: name, ok: result.ok, events: events.length, ms: Math.round(performance.now() - started) });
  if (result.ok || !result.firstBreak) return { ok: true, events: result.events, head };
  return { ok: false, events: result.events, head, firstBreak: result.firstBreak };
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
