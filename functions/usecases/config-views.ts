import type { ApprovalRequest, Decision, VoteResult } from '../domain/approval';
import type { ConfigDraft, ConfigVersion } from '../domain/config-change';
import { diffConfig, renderDiff, type DiffLine } from '../domain/config-diff';
import { NotFoundError, ValidationError } from '../domain/errors';
import { preview } from '../domain/names';
import { isProtected } from './config-changes';
import type { UseCaseDeps } from './deps';
import { environmentFor } from './deployment-history';
import { recordVote } from './record-vote';

/**
 * S4 as people read it: an environment's published configuration, its open
 * draft with the approval request (votes, diff), the versions kept, the diff
 * of two versions, and a config approver's vote on the draft. Shared by the
 * JSON API and the dashboard.
 */

type Deps = Pick<UseCaseDeps, 'directory' | 'catalog' | 'configs' | 'approvals'>;

export interface ConfigOverview {
  protected: boolean;
  published?: ConfigVersion;
  draft?: ConfigDraft;
  /** The draft's approval request (its votes and the diff approvers are shown). */
  request?: ApprovalRequest;
  /** Newest first. */
  versions: ConfigVersion[];
}

export async function configOverview(deps: Deps, identity: string, app: string, env: string): Promise<ConfigOverview> {
  const environment = await environmentFor(deps, identity, app, env, 'app.view');
  const [published, draft, versions] = await Promise.all([deps.configs.latest(app, env), deps.configs.draft(app, env), deps.configs.versions(app, env, 20)]);
  const request = draft ? await deps.approvals.get(draft.id, env) : undefined;
  return { protected: isProtected(environment), versions, ...(published ? { published } : {}), ...(draft ? { draft } : {}), ...(request ? { request } : {}) };
}

/** Versions are stored as 12-digit key parts: 1 to 999 999 999 999, in plain digits. */
export function versionNumber(value: string | number | undefined): number {
  const text = String(value ?? '');
  const n = /^\d{1,12}$/.test(text) ? Number(text) : 0;
  if (n < 1) throw new ValidationError(`${preview(value)} is not a configuration version number`);
  return n;
}

/** The line-by-line diff of two versions' effective configurations. */
export async function diffVersions(deps: Deps, identity: string, app: string, env: string, from: string | number | undefined, to: string | number | undefined): Promise<{ from: number; to: number; lines: DiffLine[]; text: string }> {
  await environmentFor(deps, identity, app, env, 'app.view');
  const [a, b] = await Promise.all([deps.configs.version(app, env, versionNumber(from)), deps.configs.version(app, env, versionNumber(to))]);
  if (!a || !b) throw new NotFoundError('both versions must exist (from=…&to=…)');
  const lines = diffConfig(a.effective, b.effective);
  return { from: a.version, to: b.version, lines, text: renderDiff(lines) };
}

/**
 * A config approver's vote on the environment's open draft, as the emailed
 * link casts it (recordVote: eligibility as config approver, never the
 * author, quorum, publication in the vote's transaction, audit). `draftId`
 * is the draft the voter was shown: a draft replaced since is not voted on.
 */
export async function voteOnDraft(deps: UseCaseDeps, voter: string, input: { app: string; env: string; draftId: string; decision: Decision; comment?: string }): Promise<VoteResult> {
  await environmentFor(deps, voter, input.app, input.env, 'app.view');
  const draft = await deps.configs.draft(input.app, input.env);
  if (!draft || draft.id !== input.draftId) throw new NotFoundError(`${input.app}/${input.env} has no open draft ${preview(input.draftId)}; it was published, discarded or replaced since the page was shown`);
  return recordVote(deps, { releaseId: draft.id, app: input.app, environment: input.env, voter }, input.decision, input.comment);
}
