import type { ChainBreak } from '../domain/audit-chain';
import { checkCheckpoint } from '../domain/audit-checkpoint';
import { errorFields } from '../observability/logger';
import { checkpointAudit } from './audit-trail';
import type { UseCaseDeps } from './deps';

export const CHECKPOINTER_ACTOR = 'system:audit-checkpointer';

/** The chain of directory and token changes, beside one chain per app. */
const DIRECTORY_CHAIN = '*';

export type CheckpointerDeps = Pick<UseCaseDeps, 'catalog' | 'auditTrail' | 'signingSecret' | 'clock' | 'newId' | 'log'>;

export interface CheckpointPassReport {
  /** Chains given a new signed checkpoint at their head. */
  checkpointed: { app: string; seq: number }[];
  /** Chains with nothing new since their checkpoint (its own audit event aside), left alone. */
  current: string[];
  /** Chains that failed verification: no checkpoint is written, and each is logged as an error. */
  broken: ({ app: string } & ChainBreak)[];
  /** Chains that could not be read or written this pass (the next pass tries again). */
  errors: number;
}

/**
 * One pass of the audit checkpointer (hourly in AWS, on a timer locally): for
 * every app's chain and the directory's, verifies from its latest signed
 * checkpoint to the head and signs a checkpoint there (checkpointAudit). That
 * keeps `GET /v1/audit/verify` to the events of the last hour or so, however
 * long a chain grows, without anyone scheduling the audit:verify job. Apps are
 * listed by an index Query; each pass reads only what is new.
 */
export async function checkpointChains(deps: CheckpointerDeps): Promise<CheckpointPassReport> {
  const report: CheckpointPassReport = { checkpointed: [], current: [], broken: [], errors: 0 };
  const chains = [...(await deps.catalog.listApps()).map((app) => app.name), DIRECTORY_CHAIN];
  for (const app of chains) {
    try {
      await checkpointChain(deps, app, report);
    } catch (error) {
      report.errors += 1;
      deps.log.error('audit checkpoint failed', { app, ...errorFields(error) });
    }
  }
  const { checkpointed, broken, errors } = report;
  if (checkpointed.length || broken.length || errors) deps.log.info('audit checkpoints', { checkpointed: checkpointed.length, current: report.current.length, broken: broken.length, errors });
  return report;
}

async function checkpointChain(deps: CheckpointerDeps, app: string, report: CheckpointPassReport): Promise<void> {
  const [head, stored] = await Promise.all([deps.auditTrail.head(app), deps.auditTrail.checkpoint(app)]);
  // A checkpoint's own audit event follows it: a chain with only that since is current, and a pass writes nothing.
  // Only a checkpoint with our signature counts; a forged one goes to checkpointAudit, which reports it.
  const signed = stored !== undefined && checkCheckpoint(await deps.signingSecret(stored.keyId), app, stored) === 'valid';
  if (head.seq === 0 || (signed && head.seq - stored.seq <= 1)) {
    report.current.push(app);
    return;
  }
  const { verification, checkpoint } = await checkpointAudit(deps, app, CHECKPOINTER_ACTOR);
  if (!verification.ok) {
    report.broken.push({ app, ...verification.firstBreak });
    // An operator's alarm, not a retry: a broken chain stays broken until someone looks (README, "Audit trail").
    deps.log.error('audit chain broken', { app, ...verification.firstBreak });
    return;
  }
  if (checkpoint) report.checkpointed.push({ app, seq: checkpoint.seq });
  else report.current.push(app);
}
