import * as z from 'zod/mini';
import { excludedVoters, normaliseIdentity } from '../domain/approval';
import type { AuditEvent } from '../domain/audit';
import { releasePath, type Environment } from '../domain/catalog';
import {
  BreakGlassRefusedError,
  FrozenError,
  NotAnApproverError,
  UnknownAppError,
  UnsatisfiablePolicyError,
  ValidationError,
  WorkflowUnavailableError,
} from '../domain/errors';
import { activeFreeze } from '../domain/freeze';
import { parsePinnedImage } from '../domain/image';
import { unsatisfiable } from '../domain/policy';
import type { IdempotencyRecord } from '../domain/ports';
import { executionName, MIN_JUSTIFICATION, type Release } from '../domain/release';
import { errorFields } from '../observability/logger';
import { eligibleVoters } from '../steps/request-approval';
import type { ApiDeps } from './deps';
import { authorize } from './permissions';

const email = z.email().check(z.maxLength(254));

export const releaseRequestSchema = z.strictObject({
  app: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, at most 63 characters')),
  image: z.string().check(z.minLength(1), z.maxLength(512)),
  commit: z.optional(z.string().check(z.regex(/^[0-9a-f]{7,64}$/i, 'a git commit SHA (7–64 hex characters)'))),
  author: z.optional(email),
  labels: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(63))).check(z.maxLength(20)), []),
  comment: z.optional(z.string().check(z.maxLength(2000))),
  approvers: z.optional(z.array(email).check(z.minLength(1), z.maxLength(50))),
  breakGlass: z.optional(z.strictObject({ justification: z.string().check(z.maxLength(2000)) })),
});

export type ReleaseRequest = z.infer<typeof releaseRequestSchema>;

/**
 * Checks who may start this release and how, records it, then starts its
 * execution. The execution ARN is known before the start, so the stored release
 * always points at its execution; if the start fails the release is ended as
 * failed rather than left running.
 */
export async function startRelease(deps: ApiDeps, request: ReleaseRequest, identity: string, idempotency?: Omit<IdempotencyRecord, 'releaseId' | 'createdAt' | 'expiresAt'>) {
  const image = parsePinnedImage(request.image);
  const app = await deps.catalog.getApp(request.app);
  if (!app) throw new UnknownAppError(`no app named "${request.app}" is registered with Gatekeeper`);
  const path = releasePath(app);
  if (typeof path === 'string') throw new ValidationError(path);
  for (const env of [path.staging, path.production]) await authorize(deps.directory, identity, 'release.start', { app: app.name, environment: env.name });

  const now = deps.clock();
  const at = now.toISOString();
  const breakGlass = request.breakGlass ? await checkBreakGlass(deps, identity, path.production, request.breakGlass.justification, at) : undefined;
  if (!breakGlass) refuseIfFrozen(path.production, now);

  const id = deps.newId();
  const name = executionName(app.name, image, now, id);
  const release: Release = {
    id,
    app: app.name,
    image: image.reference,
    digest: image.digest,
    labels: request.labels,
    requestedBy: identity,
    status: 'running',
    stagingEnvironment: path.staging.name,
    productionEnvironment: path.production.name,
    executionName: name,
    executionArn: deps.workflow.executionArn(name),
    createdAt: at,
    updatedAt: at,
    stages: {},
    ...(request.commit ? { commit: request.commit.toLowerCase() } : {}),
    ...(request.author ? { author: normaliseIdentity(request.author) } : {}),
    ...(request.comment ? { comment: request.comment } : {}),
    ...(request.approvers ? { approvers: [...new Set(request.approvers.map(normaliseIdentity))] } : {}),
    ...(breakGlass ? { breakGlass } : {}),
  };
  if (release.approvers) await checkNamedApprovers(deps, path.production, release);

  const audit = (action: AuditEvent['action'], detail: Record<string, unknown>): AuditEvent => ({
    id: deps.newId(),
    app: app.name,
    actor: identity,
    action,
    subject: `release/${release.id}`,
    at: deps.clock().toISOString(),
    detail,
  });
  const key = idempotency && {
    ...idempotency,
    releaseId: release.id,
    createdAt: at,
    expiresAt: Math.floor(now.getTime() / 1000) + 24 * 3600,
  };
  await deps.releases.create(release, audit(breakGlass ? 'release.break-glass' : 'release.requested', { image: release.image, commit: release.commit, author: release.author, breakGlass }), key);
  try {
    await deps.workflow.start(name, {
      releaseId: release.id,
      app: app.name,
      image: release.image,
      stagingEnvironment: path.staging.name,
      productionEnvironment: path.production.name,
      approvalTimeoutSeconds: path.production.policy.timeoutSeconds,
    });
  } catch (error) {
    deps.log.error('could not start execution', { releaseId: release.id, ...errorFields(error) });
    const reason = 'the release workflow could not be started';
    await deps.releases.finish(release.id, { status: 'failed', at: deps.clock().toISOString(), reason }, audit('release.start-failed', { reason }));
    throw new WorkflowUnavailableError(`${reason}; release ${release.id} was marked failed, retry the request`, { cause: error });
  }
  deps.log.info('release started', { releaseId: release.id, app: app.name, image: release.image, execution: name, requestedBy: identity, breakGlass: Boolean(breakGlass) });
  return release;
}

async function checkBreakGlass(deps: ApiDeps, identity: string, production: Environment, justification: string, at: string) {
  await authorize(deps.directory, identity, 'break-glass', { app: production.app, environment: production.name }).catch(() => {
    throw new BreakGlassRefusedError(`${identity} has no break-glass grant for ${production.app}/${production.name}`);
  });
  if (justification.trim().length < MIN_JUSTIFICATION) {
    throw new BreakGlassRefusedError(`a break-glass deployment needs a written justification of at least ${MIN_JUSTIFICATION} characters`);
  }
  return { by: identity, justification: justification.trim(), at };
}

/** A freeze whose policy fails deploys refuses the release up front; one that waits lets it queue. */
function refuseIfFrozen(production: Environment, now: Date): void {
  const freeze = activeFreeze(production.policy.freeze, now);
  if (freeze && production.policy.freeze.onFreeze === 'fail') {
    const why = freeze.window.reason ? ` (${freeze.window.reason})` : '';
    throw new FrozenError(`${production.app}/${production.name} is frozen until ${freeze.endsAt.toISOString()}${why}; deploys are refused, break-glass excepted`);
  }
}

/** S5: named approvers must be eligible, and able together to satisfy the policy. */
async function checkNamedApprovers(deps: ApiDeps, production: Environment, release: Release): Promise<void> {
  const directory = await deps.directory.get();
  const everyone = eligibleVoters(directory, production, { ...release, approvers: undefined });
  const outsiders = (release.approvers ?? []).filter((a) => !everyone.some((e) => e.id === a));
  if (outsiders.length > 0) {
    throw new NotAnApproverError(`${outsiders.join(', ')} may not approve ${production.app}/${production.name} (not an image approver, or the author/requester)`);
  }
  const named = eligibleVoters(directory, production, release);
  const missing = unsatisfiable(production.policy, named, excludedVoters(release));
  if (missing) throw new UnsatisfiablePolicyError(`the named approvers can never approve ${production.app}/${production.name}: ${missing}`);
}
