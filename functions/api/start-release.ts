import * as z from 'zod/mini';
import type { AuditEvent } from '../domain/audit';
import { releasePath } from '../domain/catalog';
import { UnknownAppError, ValidationError, WorkflowUnavailableError } from '../domain/errors';
import { parsePinnedImage } from '../domain/image';
import { executionName, type Release } from '../domain/release';
import { errorFields } from '../observability/logger';
import type { ApiDeps } from './deps';

export const releaseRequestSchema = z.strictObject({
  app: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, at most 63 characters')),
  image: z.string().check(z.minLength(1), z.maxLength(512)),
  commit: z.optional(z.string().check(z.regex(/^[0-9a-f]{7,64}$/i, 'a git commit SHA (7–64 hex characters)'))),
  author: z.optional(z.email().check(z.maxLength(254))),
  labels: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(63))).check(z.maxLength(20)), []),
  comment: z.optional(z.string().check(z.maxLength(2000))),
});

export type ReleaseRequest = z.infer<typeof releaseRequestSchema>;

/**
 * Records the release, then starts its execution. The execution ARN is known
 * before the start, so the stored release always points at its execution; if
 * the start fails the release is ended as failed rather than left running.
 */
export async function startRelease(deps: ApiDeps, request: ReleaseRequest, identity: string): Promise<Release> {
  const image = parsePinnedImage(request.image);
  const app = await deps.catalog.getApp(request.app);
  if (!app) throw new UnknownAppError(`no app named "${request.app}" is registered with Gatekeeper`);
  const path = releasePath(app);
  if (typeof path === 'string') throw new ValidationError(path);

  const now = deps.clock();
  const at = now.toISOString();
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
    ...(request.author ? { author: request.author.toLowerCase() } : {}),
    ...(request.comment ? { comment: request.comment } : {}),
  };
  const audit = (action: AuditEvent['action'], detail: Record<string, unknown>): AuditEvent => ({
    id: deps.newId(),
    app: app.name,
    actor: identity,
    action,
    subject: `release/${release.id}`,
    at: deps.clock().toISOString(),
    detail,
  });

  await deps.releases.create(release, audit('release.requested', { image: release.image, commit: release.commit, author: release.author }));
  try {
    await deps.workflow.start(name, {
      releaseId: release.id,
      app: app.name,
      image: release.image,
      stagingEnvironment: path.staging.name,
      productionEnvironment: path.production.name,
      approvalTimeoutSeconds: path.production.approvalTimeoutSeconds,
    });
  } catch (error) {
    deps.log.error('could not start execution', { releaseId: release.id, ...errorFields(error) });
    const reason = 'the release workflow could not be started';
    await deps.releases.finish(release.id, { status: 'failed', at: deps.clock().toISOString(), reason }, audit('release.start-failed', { reason }));
    throw new WorkflowUnavailableError(`${reason}; release ${release.id} was marked failed, retry the request`, { cause: error });
  }
  deps.log.info('release started', { releaseId: release.id, app: app.name, image: release.image, execution: name, requestedBy: identity });
  return release;
}
