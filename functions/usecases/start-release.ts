import * as z from 'zod/mini';
import { excludedVoters, normaliseIdentity } from '../domain/approval';
import { releasePath, type Environment } from '../domain/catalog';
import {
  BreakGlassRefusedError,
  ForbiddenError,
  FrozenError,
  NotAnApproverError,
  UnknownAppError,
  UnsatisfiablePolicyError,
  ValidationError,
} from '../domain/errors';
import { eligibleVoters } from '../domain/eligibility';
import { activeFreeze } from '../domain/freeze';
import { parsePinnedImage } from '../domain/image';
import { isName, NAME_RULE } from '../domain/names';
import { isSafeText, normaliseLineBreaks } from '../domain/text';
import { unsatisfiable } from '../domain/policy';
import type { IdempotencyRecord } from '../domain/ports';
import { executionName, MIN_JUSTIFICATION, type Release } from '../domain/release';
import type { UseCaseDeps } from './deps';
import { launch } from './launch';
import { authorize } from './permissions';

const email = z.email().check(z.maxLength(254));

const oneLine = isSafeText({ multiline: false });
const multiline = isSafeText({ multiline: true });
const TEXT_RULE = 'no control or bidirectional formatting characters';

/**
 * Control and bidi characters are refused in every text field (the API's JSON
 * reader refuses them anywhere in a body; the checks here keep the use case
 * safe for any other caller). Labels are one line each.
 */
export const releaseRequestSchema = z.strictObject({
  app: z.string().check(z.refine(isName, NAME_RULE)),
  image: z.string().check(z.minLength(1), z.maxLength(512), z.refine(oneLine, TEXT_RULE)),
  commit: z.optional(z.string().check(z.regex(/^[0-9a-f]{7,64}$/i, 'a git commit SHA (7–64 hex characters)'))),
  author: z.optional(email),
  labels: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(63), z.refine(oneLine, `one line, ${TEXT_RULE}`))).check(z.maxLength(20)), []),
  comment: z.optional(z.string().check(z.maxLength(2000), z.refine(multiline, TEXT_RULE))),
  committedAt: z.optional(z.iso.datetime({ offset: true })),
  approvers: z.optional(z.array(email).check(z.minLength(1), z.maxLength(50))),
  breakGlass: z.optional(z.strictObject({ justification: z.string().check(z.maxLength(2000), z.refine(multiline, TEXT_RULE)) })),
});

export type ReleaseRequest = z.infer<typeof releaseRequestSchema>;

/** Checks who may start this release and how, then launches it. */
export async function startRelease(deps: UseCaseDeps, request: ReleaseRequest, identity: string, idempotency?: Omit<IdempotencyRecord, 'releaseId' | 'createdAt' | 'expiresAt'>) {
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
    ...(request.comment ? { comment: normaliseLineBreaks(request.comment) } : {}),
    ...(request.committedAt ? { committedAt: new Date(request.committedAt).toISOString() } : {}),
    ...(request.approvers ? { approvers: [...new Set(request.approvers.map(normaliseIdentity))] } : {}),
    ...(breakGlass ? { breakGlass } : {}),
  };
  if (release.approvers) await checkNamedApprovers(deps, path.production, release);

  const idempotencyRecord = idempotency && { ...idempotency, releaseId: release.id, createdAt: at, expiresAt: Math.floor(now.getTime() / 1000) + 24 * 3600 };
  return launch(deps, release, {
    action: breakGlass ? 'release.break-glass' : 'release.requested',
    detail: { image: release.image, commit: release.commit, author: release.author, breakGlass },
    approvalTimeoutSeconds: path.production.policy.timeoutSeconds,
    ...(idempotencyRecord ? { idempotency: idempotencyRecord } : {}),
  });
}

async function checkBreakGlass(deps: UseCaseDeps, identity: string, production: Environment, justification: string, at: string) {
  await authorize(deps.directory, identity, 'break-glass', { app: production.app, environment: production.name }).catch((error: unknown) => {
    // Only a refusal is "refused"; a directory that cannot be read (StoreUnavailable → 503) must not read as a missing grant.
    if (error instanceof ForbiddenError) throw new BreakGlassRefusedError(`${identity} has no break-glass grant for ${production.app}/${production.name}`, { cause: error });
    throw error;
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
async function checkNamedApprovers(deps: UseCaseDeps, production: Environment, release: Release): Promise<void> {
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
