import { approvalId, excludedVoters, type ApprovalRequest } from '../domain/approval';
import { signLink } from '../domain/approval-link';
import { auditEvent, type AuditAction, type AuditEvent } from '../domain/audit';
import type { Environment } from '../domain/catalog';
import { configHash, mergeConfig, parseConfig, refuseSecrets } from '../domain/config';
import type { ConfigDraft, ConfigVersion } from '../domain/config-change';
import { diffConfig, renderDiff } from '../domain/config-diff';
import { eligibleVoters } from '../domain/eligibility';
import { InvalidStateError, NotFoundError, StaleDraftError } from '../domain/errors';
import type { Release } from '../domain/release';
import { unsatisfiable } from '../domain/policy';
import type { ConfigPublication } from '../domain/ports';
import { configApprovalEmail } from '../views/config-email';
import type { UseCaseDeps } from './deps';
import { launch, singleEnvironmentRelease } from './launch';

export interface ProposedChange {
  override: unknown;
  comment?: string;
  rolloutOnApprove?: boolean;
}

/** Whether changes to this environment's configuration wait for config approvers. */
export const isProtected = (env: Environment) => env.policy.required > 0;

const audit = (deps: UseCaseDeps, app: string, actor: string, action: AuditAction, subject: string, detail: Record<string, unknown>): AuditEvent =>
    auditEvent(deps, {
    app,
    actor,
    action,
    subject,
    detail,
  });

/**
 * S4: a change to an unprotected environment is published at once; to a
 * protected one it becomes (or replaces) the environment's draft, and its
 * config approvers are emailed a signed link to the diff.
 */
export async function proposeChange(deps: UseCaseDeps, env: Environment, author: string, change: ProposedChange): Promise<{ published?: ConfigVersion; draft?: ConfigDraft }> {
  const override = parseConfig(change.override);
  refuseSecrets(override);
  const [base, latest] = await Promise.all([deps.configs.base(env.app), deps.configs.latest(env.app, env.name)]);
  const effective = mergeConfig(base, override);
  refuseSecrets(effective);
  const hash = configHash(effective);
  const now = deps.clock().toISOString();
  const baseVersion = latest?.version ?? 0;
  if (!isProtected(env)) {
    const version: ConfigVersion = { app: env.app, environment: env.name, version: baseVersion + 1, override, effective, hash, author, approvedBy: [], publishedAt: now, baseVersion, ...(change.comment ? { comment: change.comment } : {}) };
    await deps.configs.publish(version, audit(deps, env.app, author, 'config.published', `config/${env.name}/v${version.version}`, { hash, unprotected: true }));
    return { published: version };
  }
  const previous = await deps.configs.draft(env.app, env.name);
  if (previous && previous.author !== author) throw new InvalidStateError(`${env.app}/${env.name} already has an open draft by ${previous.author}; only they can edit it`);
  const draft: ConfigDraft = {
    id: previous?.id ?? deps.newId(),
    app: env.app,
    environment: env.name,
    override,
    effective,
    hash,
    author,
    baseVersion,
    rolloutOnApprove: change.rolloutOnApprove ?? previous?.rolloutOnApprove ?? false,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    ...(change.comment ? { comment: change.comment } : {}),
  };
  const directory = await deps.directory.get();
  const eligible = eligibleVoters(directory, env, { requestedBy: author }, 'config-approver');
  const missing = unsatisfiable(env.policy, eligible, excludedVoters({ requestedBy: author }));
  if (missing) throw new InvalidStateError(`no one could approve this change: ${missing} (config approvers of ${env.app}/${env.name}; the author cannot)`);
  const previousRequest = previous ? await deps.approvals.get(previous.id, env.name) : undefined;
  const request: ApprovalRequest = {
    id: approvalId(draft.id, env.name),
    gate: 'config',
    releaseId: draft.id,
    app: env.app,
    environment: env.name,
    image: env.current?.image ?? '',
    requestedBy: author,
    labels: ['config'],
    policy: { required: env.policy.required, rules: env.policy.rules },
    policyVersion: env.policyVersion ?? 0,
    eligible,
    notified: eligible.map((v) => v.id).filter((id) => !id.startsWith('ci:')),
    votes: [],
    status: 'pending',
    createdAt: now,
    expiresAt: new Date(Date.parse(now) + env.policy.timeoutSeconds * 1000).toISOString(),
    version: (previousRequest?.version ?? -1) + 1,
    configHash: hash,
    configBaseVersion: baseVersion,
    configDiff: renderDiff(diffConfig(latest?.effective ?? base, effective)),
    ...(draft.rolloutOnApprove ? { rolloutOnApprove: true } : {}),
    taskToken: '',
    ...(change.comment ? { comment: change.comment } : {}),
  };
  await deps.configs.saveDraft(
    draft,
    request,
    audit(deps, env.app, author, previous ? 'config.draft-edited' : 'config.drafted', `config/${env.name}/draft/${draft.id}`, { hash, baseVersion }),
    previous && previousRequest ? { draft: previous, request: previousRequest } : undefined,
  );
  await notifyConfigApprovers(deps, request);
  return { draft };
}

async function notifyConfigApprovers(deps: UseCaseDeps, request: ApprovalRequest): Promise<void> {
  const secret = await deps.signingSecret();
  const expiresAt = Math.floor(Date.parse(request.expiresAt) / 1000);
  await Promise.allSettled(
    request.notified.map((approver) => {
      const token = signLink({ releaseId: request.releaseId, app: request.app, environment: request.environment, approver, expiresAt }, secret);
      return deps.mailer.send(configApprovalEmail(request, approver, `${deps.publicBaseUrl}/approve/${token}`));
    }),
  );
}

/** What an approving vote on a config request publishes; refuses a stale draft (409, rebase). */
export async function publicationFor(deps: UseCaseDeps, request: ApprovalRequest, approvedBy: string[]): Promise<ConfigPublication> {
  const [draft, latest] = await Promise.all([deps.configs.draft(request.app, request.environment), deps.configs.latest(request.app, request.environment)]);
  if (!draft || draft.id !== request.releaseId) throw new NotFoundError(`the draft of this request was discarded or replaced`);
  const current = latest?.version ?? 0;
  if (draft.baseVersion !== current) {
    throw new StaleDraftError(`the draft was made from version ${draft.baseVersion} but version ${current} has been published since; rebase your draft (GET …/config/draft/rebase)`);
  }
  const version: ConfigVersion = {
    app: draft.app,
    environment: draft.environment,
    version: current + 1,
    override: draft.override,
    effective: draft.effective,
    hash: draft.hash,
    author: draft.author,
    approvedBy,
    publishedAt: deps.clock().toISOString(),
    baseVersion: draft.baseVersion,
    ...(draft.comment ? { comment: draft.comment } : {}),
  };
  return { version, draft };
}


/**
 * Rollout-on-approve: redeploys what runs now with the newly published
 * configuration, through the release state machine (type `config`: straight
 * to the environment, no new image approval).
 */
export async function rolloutConfig(deps: UseCaseDeps, version: ConfigVersion, approvedBy: string[]): Promise<Release> {
  const env = await deps.catalog.getEnvironment(version.app, version.environment);
  if (!env?.current) throw new InvalidStateError(`${version.app}/${version.environment} runs nothing Gatekeeper knows of; the configuration is published and the next release will apply it`);
  const release = singleEnvironmentRelease(deps, {
    type: 'config',
    app: version.app,
    environment: version.environment,
    image: env.current.image,
    labels: ['config', `v${version.version}`],
    requestedBy: version.author,
    approvedBy,
    comment: `configuration version ${version.version}${version.comment ? `: ${version.comment}` : ''}`,
  });
  return launch(deps, release, { action: 'release.requested', detail: { configVersion: version.version, hash: version.hash, image: release.image } });
}
