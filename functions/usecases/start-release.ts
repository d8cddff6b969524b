import * as z from 'zod/mini';
import { excludedVoters, normaliseIdentity } from '../domain/approval';
import { pipelineNodes, pipelineOf, type Environment } from '../domain/catalog';
import {
  BreakGlassRefusedError,
  FrozenError,
  NotAnApproverError,
  UnknownAppError,
  UnsatisfiablePolicyError,
} from '../domain/errors';
import type { Directory } from '../domain/authorization';
import { eligibleVoters } from '../domain/eligibility';
import { activeFreeze } from '../domain/freeze';
import { parsePinnedImage } from '../domain/image';
import { isName, NAME_RULE } from '../domain/names';
import { isSafeText, normaliseLineBreaks } from '../domain/text';
import { unsatisfiable } from '../domain/policy';
import type { IdempotencyRecord } from '../domain/ports';
import { MIN_JUSTIFICATION, type Release } from '../domain/release';
import type { UseCaseDeps } from './deps';
import { launch } from './launch';
import { permit } from './permissions';

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
  committedAt: z.optional(
    z.iso
      .datetime({ offset: true })
      .check(z.describe('When the commit was made (ISO 8601 with an offset, e.g. `git show -s --format=%cI <commit>`): the start of the DORA lead time. A release without it has no lead-time sample.')),
  ),
  approvers: z.optional(z.array(email).check(z.minLength(1), z.maxLength(50))),
  breakGlass: z.optional(z.strictObject({ justification: z.string().check(z.maxLength(2000), z.refine(multiline, TEXT_RULE)) })),
});

export type ReleaseRequest = z.infer<typeof releaseRequestSchema>;

export interface StartOptions {
  /** The CI's Idempotency-Key: taken in the release's own transaction, only if free. */
  idempotency?: Omit<IdempotencyRecord, 'releaseId' | 'createdAt' | 'expiresAt'>;
}

/**
 * Checks who may start this release and how, then launches it: every
 * environment of the app's pipeline is checked up front (who may release to
 * it, freezes that refuse deploys, break-glass grants, named approvers), so a
 * release that cannot finish is refused before anything changes.
 */
export async function startRelease(deps: UseCaseDeps, request: ReleaseRequest, identity: string, options: StartOptions = {}) {
  const image = parsePinnedImage(request.image);
  const { idempotency } = options;
  // The directory is read once for every check below (issue 13); through the API it is the one read with the token.
  const [app, directory] = await Promise.all([deps.catalog.getApp(request.app), deps.directory.get()]);
  if (!app) throw new UnknownAppError(`no app named "${request.app}" is registered with Gatekeeper`);
  const pipeline = pipelineOf(app);
  const environments = pipeline.order.map((name) => app.environments.find((env) => env.name === name)).filter((env) => env !== undefined);
  for (const env of environments) permit(directory, identity, 'release.start', { app: app.name, environment: env.name });
  const gated = environments.filter(isGated);

  const now = deps.clock();
  const at = now.toISOString();
  const breakGlass = request.breakGlass ? checkBreakGlass(directory, identity, gated, request.breakGlass.justification, at) : undefined;
  if (!breakGlass) environments.forEach((env) => refuseIfFrozen(env, now));

  const release: Omit<Release, 'stages'> = {
    id: deps.newId(),
    app: app.name,
    image: image.reference,
    digest: image.digest,
    labels: request.labels,
    requestedBy: identity,
    status: 'running',
    pipeline: pipelineNodes(app),
    createdAt: at,
    updatedAt: at,
    ...(request.commit ? { commit: request.commit.toLowerCase() } : {}),
    ...(request.author ? { author: normaliseIdentity(request.author) } : {}),
    ...(request.comment ? { comment: normaliseLineBreaks(request.comment) } : {}),
    ...(request.committedAt ? { committedAt: new Date(request.committedAt).toISOString() } : {}),
    ...(request.approvers ? { approvers: [...new Set(request.approvers.map(normaliseIdentity))] } : {}),
    ...(breakGlass ? { breakGlass } : {}),
  };
  if (release.approvers) checkNamedApprovers(directory, gated, release);

  const idempotencyRecord = idempotency && { ...idempotency, releaseId: release.id, createdAt: at, expiresAt: Math.floor(now.getTime() / 1000) + 24 * 3600 };
  return launch(deps, release, {
    action: breakGlass ? 'release.break-glass' : 'release.requested',
    detail: { image: release.image, commit: release.commit, author: release.author, breakGlass, environments: pipeline.order },
    ...(idempotencyRecord ? { idempotency: idempotencyRecord } : {}),
    environments,
  });
}

const isGated = (env: Environment): boolean => env.policy.required > 0 || env.policy.rules.length > 0;

/** B6: break-glass passes every gate of the pipeline, so its holder needs the grant on each gated environment. */
function checkBreakGlass(directory: Directory, identity: string, gated: Environment[], justification: string, at: string) {
  for (const env of gated) {
    // The directory was read up front (a read failure is a 503 there), so only a refusal can happen here.
    try {
      permit(directory, identity, 'break-glass', { app: env.app, environment: env.name });
    } catch (error) {
      throw new BreakGlassRefusedError(`${identity} has no break-glass grant for ${env.app}/${env.name}`, { cause: error });
    }
  }
  if (justification.trim().length < MIN_JUSTIFICATION) {
    throw new BreakGlassRefusedError(`a break-glass deployment needs a written justification of at least ${MIN_JUSTIFICATION} characters`);
  }
  return { by: identity, justification: justification.trim(), at };
}

/** A freeze whose policy fails deploys refuses the release up front; one that waits lets it queue. */
function refuseIfFrozen(env: Environment, now: Date): void {
  const freeze = activeFreeze(env.policy.freeze, now);
  if (freeze && env.policy.freeze.onFreeze === 'fail') {
    const why = freeze.window.reason ? ` (${freeze.window.reason})` : '';
    throw new FrozenError(`${env.app}/${env.name} is frozen until ${freeze.endsAt.toISOString()}${why}; deploys are refused, break-glass excepted`);
  }
}

/** S5: named approvers must each be eligible somewhere, and able together to satisfy every gated environment's policy. */
function checkNamedApprovers(directory: Directory, gated: Environment[], release: Omit<Release, 'stages'>): void {
  const everyone = gated.flatMap((env) => eligibleVoters(directory, env, { ...release, approvers: undefined }));
  const outsiders = (release.approvers ?? []).filter((a) => !everyone.some((e) => e.id === a));
  if (outsiders.length > 0) {
    const where = gated.map((env) => `${env.app}/${env.name}`).join(', ') || `${release.app} (no environment needs approval)`;
    throw new NotAnApproverError(`${outsiders.join(', ')} may not approve ${where} (not an image approver, or the author/requester)`);
  }
  for (const env of gated) {
    const missing = unsatisfiable(env.policy, eligibleVoters(directory, env, release), excludedVoters(release));
    if (missing) throw new UnsatisfiablePolicyError(`the named approvers can never approve ${env.app}/${env.name}: ${missing}`);
  }
}
