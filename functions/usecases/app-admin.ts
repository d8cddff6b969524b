import { auditEvent } from '../domain/audit';
import type { App } from '../domain/catalog';
import { InvalidStateError } from '../domain/errors';
import { parsePolicy, type ApprovalPolicy } from '../domain/policy';
import type { UseCaseDeps } from './deps';
import { environmentFor } from './deployment-history';
import { endPendingRequest } from './end-request';
import { authorize } from './permissions';

/**
 * Registering apps and changing policies: the one code path behind
 * `PUT /v1/apps/{app}`, `PUT /v1/apps/{app}/envs/{env}/policy` and the
 * dashboard's Admin page. Admins only; audited with the actor.
 */

/** Registers a new (validated) app; existing apps keep their environments (409). */
export async function registerApp(deps: UseCaseDeps, identity: string, app: App): Promise<App> {
  await authorize(deps.directory, identity, 'app.manage', { app: app.name, environment: '*' });
  const audit = auditEvent(deps, { app: app.name, actor: identity, action: 'app.registered', subject: `app/${app.name}` });
  if (!(await deps.catalogWriter.putApp(app, audit, { keepExisting: true }))) {
    throw new InvalidStateError(`app ${app.name} is already registered; change its policies with PUT /v1/apps/${app.name}/envs/{env}/policy`);
  }
  return app;
}

export interface PolicyChange {
  app: string;
  environment: string;
  policy: ApprovalPolicy;
  policyVersion: number;
  /** Releases whose pending request of this environment the change voided (they end `cancelled`). */
  voidedReleases: string[];
}

/**
 * Replaces the policy. The input is validated before anything else (a 400
 * whoever sends it). Requests opened under the old policy are void (B5):
 * they end `cancelled` with the reason, so nothing approved under an old
 * rule deploys under a new one; a vote racing the change fails its
 * transaction's policy-version check.
 */
export async function changePolicy(deps: UseCaseDeps, identity: string, app: string, env: string, input: unknown): Promise<PolicyChange> {
  const policy = parsePolicy(input);
  const environment = await environmentFor(deps, identity, app, env, 'app.manage');
  const audit = (action: 'policy.changed' | 'release.cancelled', subject: string, detail: Record<string, unknown>) => auditEvent(deps, { app, actor: identity, action, subject, detail });
  const version = await deps.catalogWriter.putPolicy(app, env, policy, environment.policyVersion ?? 0, audit('policy.changed', `app/${app}/env/${env}`, { before: environment.policy, after: policy }));
  const reason = `the approval policy of ${app}/${env} changed (version ${version}) while this request was pending`;
  const voided: string[] = [];
  for (const request of await deps.approvals.listPending({ app, environment: env })) {
    const ending = { status: 'cancelled' as const, reason, audit: audit('release.cancelled', `release/${request.releaseId}/approval/${env}`, { reason }) };
    if (await endPendingRequest(deps, request, ending)) voided.push(request.releaseId);
  }
  deps.log.info('policy changed', { app, env, version, voided, by: identity });
  return { app, environment: env, policy, policyVersion: version, voidedReleases: voided };
}
