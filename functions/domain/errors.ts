/**
 * Named domain errors. Each carries a stable `type` slug used in problem+json
 * responses (`https://gatekeeper.dev/problems/<type>`) and an HTTP status the API
 * maps it to. Step handlers throw some of them; their `name` is what the state
 * machine's Catch clauses match on.
 */
export abstract class GatekeeperError extends Error {
  abstract readonly type: string;
  abstract readonly status: number;
  abstract readonly title: string;
}

function defineError(name: string, type: string, status: number, title: string) {
  return class extends GatekeeperError {
    readonly type = type;
    readonly status = status;
    readonly title = title;
    constructor(detail: string, options?: ErrorOptions) {
      super(detail, options);
      this.name = name;
    }
  };
}

export class ValidationError extends defineError('ValidationError', 'validation', 400, 'Invalid request') {}
export class ImageNotPinnedError extends defineError('ImageNotPinned', 'image-not-pinned', 400, 'Image must be pinned by digest') {}
export class UnauthenticatedError extends defineError('Unauthenticated', 'unauthenticated', 401, 'Authentication required') {}
export class ForbiddenError extends defineError('Forbidden', 'forbidden', 403, 'Not allowed') {}
export class SelfApprovalError extends defineError('SelfApproval', 'self-approval', 403, 'You cannot approve your own release') {}
export class NotAnApproverError extends defineError('NotAnApprover', 'not-an-approver', 403, 'Not an approver of this request') {}
/**
 * The dashboard action needs a recent sign-in (step-up): the person signed in
 * longer ago than the action allows. `signInUrl` signs in again and comes back.
 */
export class StepUpRequiredError extends defineError('StepUpRequired', 'step-up-required', 403, 'Sign in again to continue') {
  constructor(
    detail: string,
    readonly signInUrl: string,
  ) {
    super(detail);
  }
}
export class InvalidLinkError extends defineError('InvalidLink', 'invalid-link', 403, 'This approval link is not valid') {}
export class LinkExpiredError extends defineError('LinkExpired', 'link-expired', 410, 'This approval link has expired') {}
export class LinkUsedError extends defineError('LinkUsed', 'link-used', 409, 'This approval link was already used') {}
export class RequestClosedError extends defineError('RequestClosed', 'request-closed', 409, 'This approval request is already decided') {}
export class NotFoundError extends defineError('NotFound', 'not-found', 404, 'Not found') {}
export class UnknownAppError extends defineError('UnknownApp', 'unknown-app', 404, 'Unknown app') {}
export class PayloadTooLargeError extends defineError('PayloadTooLarge', 'payload-too-large', 413, 'Request body too large') {}

/** Thrown by the deploy step when a rollout does not complete; the state machine catches `RolloutFailed`. */
export class RolloutFailedError extends defineError('RolloutFailed', 'rollout-failed', 502, 'Rollout failed') {}
/** A pre- or post-deployment check did not pass; the state machine catches `CheckFailed` (a post-deployment one rolls back). */
export class CheckFailedError extends defineError('CheckFailed', 'check-failed', 502, 'Deployment check failed') {}
/** Thrown when the Deployment an environment points at does not exist in the cluster. */
export class DeploymentNotFoundError extends defineError('DeploymentNotFound', 'deployment-not-found', 502, 'Deployment not found') {}
/** A conditional write lost a race; callers re-read and retry or report 409. */
export class ConflictError extends defineError('Conflict', 'conflict', 409, 'Conflicting update') {}
/** The release cannot be changed in its current state (e.g. cancel after production started). */
export class InvalidStateError extends defineError('InvalidState', 'invalid-state', 409, 'Not possible in the current state') {}
/** The workflow engine refused or failed a call; the release was marked accordingly. */
export class WorkflowUnavailableError extends defineError('WorkflowUnavailable', 'workflow-unavailable', 503, 'Workflow engine unavailable') {}
/** The environment is inside a freeze window whose policy refuses deploys. */
export class FrozenError extends defineError('EnvironmentFrozen', 'frozen', 409, 'Environment is frozen') {}
/** Break-glass needs the grant and a written justification. */
export class BreakGlassRefusedError extends defineError('BreakGlassRefused', 'break-glass-refused', 403, 'Break-glass refused') {}
/** An Idempotency-Key was reused with a different request body. */
export class IdempotencyKeyReusedError extends defineError('IdempotencyKeyReused', 'idempotency-key-reused', 422, 'Idempotency key reused') {}
/** The named approvers cannot satisfy the environment's policy. */
export class UnsatisfiablePolicyError extends defineError('UnsatisfiablePolicy', 'unsatisfiable-approvers', 422, 'These approvers can never approve this release') {}
/**
 * An environment names a cluster Gatekeeper is not configured for: a mistake in
 * the app's definition (400 when registering it); a deploy to it fails its step.
 */
export class UnknownClusterError extends defineError('UnknownCluster', 'unknown-cluster', 400, 'Unknown cluster') {}
/** A configuration draft was made from a version that is no longer the published one. */
export class StaleDraftError extends defineError('StaleDraft', 'stale-draft', 409, 'Rebase your draft') {}

/* Infrastructure faults. Step handlers throw these by name so the state machine retries them (Retry with backoff and jitter); the API answers 503. */
/** The Kubernetes API did not answer (connection refused, reset, timed out). */
export class ClusterUnreachableError extends defineError('ClusterUnreachable', 'cluster-unreachable', 503, 'Kubernetes API unreachable') {}
/** DynamoDB did not answer or refused the call for a transient reason (throttled, unavailable, network). */
export class StoreUnavailableError extends defineError('StoreUnavailable', 'dependency-unavailable', 503, 'Data store unavailable') {}
/** An email (an approval link, a notification) could not be sent: SES refused or did not answer. */
export class MailUnavailableError extends defineError('MailUnavailable', 'dependency-unavailable', 503, 'Mail service unavailable') {}
/** Restoring the previous version failed: the environment needs an operator. */
export class RollbackFailedError extends defineError('RollbackFailed', 'rollback-failed', 502, 'Rollback failed') {}
/** The cluster runs something else than Gatekeeper recorded, and the environment's policy refuses to deploy over drift. */
export class DriftDetectedError extends defineError('DriftDetected', 'drift-detected', 409, 'Environment drifted') {}
/** Not enough people could ever approve: fail now rather than wait for the timeout. */
export class NoEligibleApproversError extends defineError('NoEligibleApprovers', 'no-eligible-approvers', 409, 'Not enough eligible approvers') {}
/** The caller sends more than a fair share (e.g. refused votes from an identity with no role); `retryAfterSeconds` says when to come back. */
export class TooManyRequestsError extends defineError('TooManyRequests', 'rate-limited', 429, 'Too many requests') {
  retryAfterSeconds = 60;
}
/** Our side is busy (e.g. the audit chain under a burst) past the request's deadline: not the caller's conflict. */
export class BusyError extends defineError('Busy', 'busy', 503, 'Busy, try again') {}
/*
 * Faults of our own data or configuration: plain named errors, not problems, so
 * the API answers a generic 500 and only the log names the item or the secret.
 */
/** A stored item does not have the shape the code relies on (hand edit, older shape): an operator must look. */
export class CorruptItemError extends Error {
  override readonly name = 'CorruptItem';
}

/** A configuration value looks like a credential; `fields` names where (never the values). */
export class SecretInConfigError extends defineError('SecretInConfig', 'secret-in-config', 422, 'Secrets do not belong in configuration') {
  constructor(
    readonly fields: string[],
    detail: string,
  ) {
    super(detail);
  }
}
/**
 * A dashboard sign-in (OpenID Connect) that did not complete; `message` is safe
 * to show (no token, code or secret). Thrown by the OIDC port, rendered by the
 * sign-in routes as a page, not a problem.
 */
export class SignInFailure extends Error {
  override readonly name = 'SignInFailure';
  constructor(
    message: string,
    /** `refused`: the answer did not check out or the provider said no; `unavailable`: the provider could not be reached. */
    readonly kind: 'refused' | 'unavailable',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
/** The link-signing key set is unusable, or a rotation would break live links. Never carries key material. */
export class LinkKeySetError extends Error {
  override readonly name = 'LinkKeySetError';
}

/* Refusals that exist only because the request came over HTTP; the HTTP layer throws them. */
/** The body is not in the one media type (and charset) the route takes. */
export class UnsupportedMediaTypeError extends defineError('UnsupportedMediaType', 'unsupported-media-type', 415, 'Unsupported media type') {}
/** The path exists, but not for this method; `allow` lists the ones it has (the Allow header). */
export class MethodNotAllowedError extends defineError('MethodNotAllowed', 'method-not-allowed', 405, 'Method not allowed') {
  constructor(
    detail: string,
    readonly allow: readonly string[],
  ) {
    super(detail);
  }
}
