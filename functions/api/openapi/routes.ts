import type * as z from 'zod/mini';
import { appDefinitionSchema } from '../app-definition';
import { DECISION_FORM_FIELDS } from '../routes/approval-links';
import { decisionSchema } from '../routes/approvals';
import { baseSchema, changeSchema } from '../routes/config';
import { rollbackSchema } from '../routes/deployments';
import { grantSchema, groupSchema } from '../routes/directory';
import { reviewSchema } from '../routes/reviews';
import { tokenSchema } from '../routes/tokens';
import { webhookSchema } from '../routes/webhooks';
import { releaseRequestSchema } from '../../usecases/start-release';

/*
 * Every route createApp serves (but the dashboard's HTML pages and sign-in),
 * described for the OpenAPI document. Paths are as Hono lists them in
 * `app.routes` (`:param`), so test/api/openapi.test.ts can compare this list
 * with the app both ways: a route without a description, or a description
 * without a route, fails it. Request bodies are the very schema objects the
 * routes hand to readJson (exported by the route modules), converted by zod.
 */

/** `token`: `Authorization: Bearer <token>`; `link`: the signed URL is the credential; `none`: public. */
export type RouteAuth = 'token' | 'link' | 'none';

export type JsonSchema = Record<string, unknown>;

export interface ParamDoc {
  description: string;
  schema: JsonSchema;
  required?: boolean;
}

export interface QueryDoc extends ParamDoc {
  name: string;
}

export type BodyDoc =
  /** A JSON body validated with `schema` (readJson), or read as a JSON value and checked by hand-written rules (`description`). */
  | { kind: 'json'; schema?: z.ZodMiniType; description?: string }
  /** `application/x-www-form-urlencoded` with exactly these fields (readForm). */
  | { kind: 'form'; fields: readonly string[]; description: string };

export interface SuccessDoc {
  status: number;
  description: string;
  /** `json` (the default), `html`, `html-or-json` (by Accept), or `file` (a download). */
  content?: 'json' | 'html' | 'html-or-json' | 'file' | 'none';
  /** Only where the handler's answer has a fixed, small shape; otherwise the description says what it holds. */
  schema?: JsonSchema;
  headers?: Record<string, string>;
}

export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** As Hono lists it (`/v1/releases/:id`). */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  /** Path parameters beyond the shared ones (PATH_PARAMS), or overriding them. */
  params?: Record<string, ParamDoc>;
  query?: QueryDoc[];
  headers?: QueryDoc[];
  body?: BodyDoc;
  responses: SuccessDoc[];
  /**
   * Problem types (slugs) the route answers with besides those every route
   * of its kind can (unauthenticated for token routes; validation,
   * unsupported-media-type and payload-too-large with a body; validation for
   * path parameters; dependency-unavailable and internal).
   */
  problems: string[];
}

const NAME = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', maxLength: 63 };
const RELEASE_ID = { type: 'string', format: 'uuid', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' };
const releaseId: ParamDoc = { description: 'A release id (UUID).', schema: RELEASE_ID };
const WEBHOOK_ID_PARAM: ParamDoc = { description: 'A webhook subscription id (`wh_…`).', schema: { type: 'string', pattern: '^wh_[A-Za-z0-9-]{1,64}$' } };

/** Path parameters that mean the same on every route. */
export const PATH_PARAMS: Record<string, ParamDoc> = {
  app: { description: 'An app name (the one name rule; never a reserved word such as `constructor`).', schema: NAME },
  env: { description: 'An environment name of the app (the one name rule).', schema: NAME },
  name: { description: 'A group name (the one name rule).', schema: NAME },
  releaseId,
  version: { description: 'A configuration version number (1, 2, …).', schema: { type: 'string', pattern: '^\\d{1,12}$' } },
  token: {
    description: 'The signed link from the approval email: it names the release, environment, approver and expiry and is its own credential (HMAC-signed; no bearer token).',
    schema: { type: 'string', maxLength: 2048 },
  },
};

const query = (name: string, description: string, schema: JsonSchema = { type: 'string' }, required = false): QueryDoc => ({ name, description, schema, ...(required ? { required } : {}) });
const auditApp = query('app', 'The app whose chain to read, or `*` for directory and token changes (admins only). Required.', { anyOf: [NAME, { const: '*' }] }, true);
const json = (status: number, description: string, schema?: JsonSchema): SuccessDoc => ({ status, description, ...(schema ? { schema } : {}) });
const object = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', properties, required: Object.keys(properties) });
const S = { type: 'string' };

const RELEASE_BODY = 'The release: `id`, `app`, `status`, `image`, `digest`, `commit`, `author`, `labels`, `comment`, `requestedBy`, `createdAt`, `finishedAt`, `reason`, `stages[]` in pipeline order (one per environment, with `status`, `approval`, `checks[]`, `executionArn`, `executionUrl`), `approvals[]` and `breakGlass` (README "API").';
const APPROVAL_BODY = 'An approval request: `id` (`<release id>.<environment>`), app, environment, image, requester, labels, comment, `status`, `policy`, `approvers`, `votes[]`, `missing`, `summary`, `requestedAt`, `ageSeconds`, `expiresAt`, `decidedAt`.';

export const ROUTE_DOCS: RouteDoc[] = [
  // Health
  { method: 'GET', path: '/healthz', tag: 'Health', summary: 'Liveness', description: 'The process answers; touches no dependency.', auth: 'none', responses: [json(200, 'Alive.', object({ status: { const: 'ok' } }))], problems: [] },
  {
    method: 'GET',
    path: '/readyz',
    tag: 'Health',
    summary: 'Readiness',
    description: 'One consistent read of the directory. `503 dependency-unavailable` (with `Retry-After`) when the table does not answer.',
    auth: 'none',
    responses: [json(200, 'Ready.', object({ status: { const: 'ready' } }))],
    problems: [],
  },
  // Reference
  { method: 'GET', path: '/openapi.json', tag: 'Reference', summary: 'This OpenAPI document', auth: 'none', responses: [json(200, 'The OpenAPI 3.1 document, generated from the schemas that validate the requests.')], problems: [] },
  { method: 'GET', path: '/docs', tag: 'Reference', summary: 'The API reference as a page', auth: 'none', responses: [{ status: 200, description: 'This document rendered as HTML (no scripts).', content: 'html' }], problems: [] },
  // Releases
  {
    method: 'POST',
    path: '/v1/releases',
    tag: 'Releases',
    summary: 'Start a release',
    description:
      'Deployer. `image` must be pinned by digest (`<repo>@sha256:<64 hex>`); `approvers` narrows who is asked; `breakGlass` (justification of at least 20 characters) needs the `break-glass` grant. With `Idempotency-Key`, the same key and body within 24 h answer with the first release (`Idempotent-Replayed: true`) and start nothing.',
    auth: 'token',
    headers: [query('Idempotency-Key', 'Makes retries safe: 1–128 letters, digits, `.`, `:`, `_` or `-`.', { type: 'string', pattern: '^[\\w.:-]{1,128}$' })],
    body: { kind: 'json', schema: releaseRequestSchema },
    responses: [{ status: 201, description: RELEASE_BODY, headers: { Location: 'The release: `/v1/releases/{id}`.', 'Idempotent-Replayed': '`true` when the answer is a replay of the first request with this key.' } }],
    problems: ['image-not-pinned', 'forbidden', 'break-glass-refused', 'unknown-app', 'frozen', 'no-eligible-approvers', 'idempotency-key-reused', 'unsatisfiable-approvers', 'workflow-unavailable'],
  },
  { method: 'GET', path: '/v1/releases/:id', tag: 'Releases', summary: 'A release', auth: 'token', params: { id: releaseId }, responses: [json(200, RELEASE_BODY)], problems: ['forbidden', 'not-found'] },
  {
    method: 'GET',
    path: '/v1/releases/:id/history',
    tag: 'Releases',
    summary: 'Execution history of each promotion',
    description: 'The Step Functions history of each environment\'s execution, in pipeline order. An execution whose history expired says `expired: true`.',
    auth: 'token',
    params: { id: releaseId },
    query: [query('environment', 'Only this environment\'s execution.')],
    responses: [json(200, '`{ "releaseId", "executions": [{ "environment", "executionArn", "events" | "expired" }] }`.')],
    problems: ['forbidden', 'not-found'],
  },
  {
    method: 'POST',
    path: '/v1/releases/:id/cancel',
    tag: 'Releases',
    summary: 'Cancel a release',
    description: 'The requester cancels while any environment waits for approval: every open request is cancelled and the release stops (what deploys finishes).',
    auth: 'token',
    params: { id: releaseId },
    responses: [json(202, 'Cancelled.', object({ id: S, status: S }))],
    problems: ['forbidden', 'not-found', 'invalid-state', 'conflict'],
  },
  // Approvals
  {
    method: 'GET',
    path: '/v1/approvals',
    tag: 'Approvals',
    summary: 'Requests the caller may still decide',
    auth: 'token',
    query: [query('status', 'Only `pending` is listed (the default).', { const: 'pending' })],
    responses: [json(200, `\`{ "approvals": [...] }\`, each ${APPROVAL_BODY}`)],
    problems: [],
  },
  {
    method: 'POST',
    path: '/v1/approvals/:id/decision',
    tag: 'Approvals',
    summary: 'Vote on an approval request',
    description: 'The same vote as the email link, by a token holder who is an eligible approver. Refused votes are audited.',
    auth: 'token',
    params: { id: { description: 'An approval id: `<release id>.<environment>`.', schema: { type: 'string', maxLength: 100 } } },
    body: { kind: 'json', schema: decisionSchema },
    responses: [json(200, `${APPROVAL_BODY} Plus \`closedAs\` (\`approved\`, \`rejected\` or null while open) and \`summary\`.`)],
    problems: ['not-found', 'self-approval', 'not-an-approver', 'request-closed', 'link-expired', 'conflict', 'rate-limited', 'busy'],
  },
  // Reviews
  { method: 'GET', path: '/v1/reviews', tag: 'Reviews', summary: 'Break-glass deployments awaiting review', auth: 'token', responses: [json(200, '`{ "reviews": [{ "releaseId", "app", "environments", "image", "status", "breakGlass" }] }`: those the caller may close.')], problems: [] },
  {
    method: 'POST',
    path: '/v1/reviews/:releaseId',
    tag: 'Reviews',
    summary: 'Close a break-glass review',
    description: 'An approver of the environment, not the one who broke the glass.',
    auth: 'token',
    body: { kind: 'json', schema: reviewSchema },
    responses: [json(200, '`{ "releaseId", "review": { "by", "comment", "at" } }`.')],
    problems: ['not-found', 'forbidden', 'self-approval', 'invalid-state', 'busy'],
  },
  // Apps
  { method: 'GET', path: '/v1/apps/:app', tag: 'Apps', summary: 'An app', description: 'Its environments and policies, each environment\'s `current`, `drift` and `attention`.', auth: 'token', responses: [json(200, 'The app.')], problems: ['forbidden', 'not-found'] },
  {
    method: 'PUT',
    path: '/v1/apps/:app',
    tag: 'Apps',
    summary: 'Register an app',
    description: 'Admin. Without any `after`, the environments are a chain in the order given; the graph must be acyclic and every `after` must exist. `policy` is as the policy endpoint takes it.',
    auth: 'token',
    body: { kind: 'json', schema: appDefinitionSchema },
    responses: [json(201, 'The registered app.')],
    problems: ['forbidden', 'conflict', 'unknown-cluster', 'busy'],
  },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/policy', tag: 'Apps', summary: 'An environment\'s policy', auth: 'token', responses: [json(200, '`{ "app", "environment", "policy", "policyVersion" }`.')], problems: ['forbidden', 'not-found'] },
  {
    method: 'PUT',
    path: '/v1/apps/:app/envs/:env/policy',
    tag: 'Apps',
    summary: 'Replace an environment\'s policy',
    description: 'Admin. Pending requests of the environment are voided (they end `cancelled`); the answer lists them in `voidedReleases`.',
    auth: 'token',
    body: {
      kind: 'json',
      description:
        'The policy: `required` (approvals in total, 0 = no gate), `rules` (`[{ "group", "min" }]`), `timeoutSeconds`, `supersede`, `rollbackRequiresApproval`, `onDrift` (`proceed` | `refuse`), `freeze` (`{ "onFreeze": "wait" | "fail", "windows": [weekly or range windows in an IANA time zone] }`) and `checks`; omitted fields take the defaults. Checked by hand-written rules (README "Identities, roles and policies"), so there is no generated schema.',
    },
    responses: [json(200, 'The environment\'s new policy and version, and `voidedReleases`.')],
    problems: ['forbidden', 'not-found', 'conflict', 'busy'],
  },
  // Deployments
  {
    method: 'GET',
    path: '/v1/apps/:app/envs/:env/deployments',
    tag: 'Deployments',
    summary: 'Deployment history',
    auth: 'token',
    query: [query('limit', '1–100, default 20.', { type: 'string', pattern: '^\\d+$' }), query('cursor', 'From the previous page.')],
    responses: [json(200, '`{ "deployments": [...], "cursor"?, "next"? }`, newest first: `id`, `type` (`release`, `rollback`, `automatic-rollback`), image digest, previous image, commit, `requestedBy`, `approvers`, `deployedBy`, `startedAt`, `finishedAt`, `result`, `reason`, `executionUrl`.')],
    problems: ['forbidden', 'not-found'],
  },
  {
    method: 'GET',
    path: '/v1/apps/:app/envs/:env/deployments/compare',
    tag: 'Deployments',
    summary: 'Compare two deployments',
    auth: 'token',
    query: [query('from', 'A deployment id.'), query('to', 'A deployment id.')],
    responses: [json(200, '`{ "from", "to", "changes" }`.')],
    problems: ['forbidden', 'not-found'],
  },
  {
    method: 'POST',
    path: '/v1/apps/:app/envs/:env/rollback',
    tag: 'Deployments',
    summary: 'Roll back',
    description: 'Deployer. Redeploys that deployment\'s digest (default: the last good one before what runs now) through the state machine, without a new approval unless the policy asks for one; exempt from freezes; audited.',
    auth: 'token',
    body: { kind: 'json', schema: rollbackSchema },
    responses: [json(202, '`{ "id", "status", "type": "rollback", "target", "executionArn" }`.')],
    problems: ['forbidden', 'not-found', 'invalid-state', 'conflict', 'workflow-unavailable'],
  },
  {
    method: 'GET',
    path: '/v1/apps/:app/envs/:env/metrics',
    tag: 'Deployments',
    summary: 'DORA metrics',
    auth: 'token',
    query: [query('days', 'The window: 7, 30 (default) or 90.', { enum: ['7', '30', '90'] })],
    responses: [json(200, 'Deployment frequency, lead time, change failure rate and time to restore from per-day aggregates, with `bucketsTimeZone: "UTC"`.')],
    problems: ['forbidden', 'not-found'],
  },
  // Configuration
  { method: 'GET', path: '/v1/apps/:app/config/base', tag: 'Configuration', summary: 'The app\'s base configuration', auth: 'token', responses: [json(200, '`{ "app", "base" }`.')], problems: ['forbidden'] },
  {
    method: 'PUT',
    path: '/v1/apps/:app/config/base',
    tag: 'Configuration',
    summary: 'Replace the base configuration',
    description: 'Admin. `base`: `{ "replicas", "env": { NAME: value | { "secretRef": { "name", "key" } } }, "resources", "configMap" }`; values that look like credentials are refused.',
    auth: 'token',
    body: { kind: 'json', schema: baseSchema },
    responses: [json(200, '`{ "app", "base" }`.')],
    problems: ['forbidden', 'secret-in-config', 'busy'],
  },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config', tag: 'Configuration', summary: 'Published configuration and draft', auth: 'token', responses: [json(200, '`{ "app", "environment", "protected", "published", "draft" }`.')], problems: ['forbidden', 'not-found'] },
  {
    method: 'PUT',
    path: '/v1/apps/:app/envs/:env/config',
    tag: 'Configuration',
    summary: 'Change an environment\'s configuration',
    description: 'Deployer. Unprotected environments publish at once (201); protected ones get a draft whose config approvers are emailed (202).',
    auth: 'token',
    body: { kind: 'json', schema: changeSchema },
    responses: [json(201, '`{ "published" }`: the new version.'), json(202, '`{ "draft", "approvalId" }`.')],
    problems: ['forbidden', 'not-found', 'secret-in-config', 'stale-draft', 'conflict', 'busy'],
  },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config/draft', tag: 'Configuration', summary: 'The open draft', auth: 'token', responses: [json(200, '`{ "draft", "approval": { "status", "votes", "diff" } | null }`.')], problems: ['forbidden', 'not-found'] },
  { method: 'DELETE', path: '/v1/apps/:app/envs/:env/config/draft', tag: 'Configuration', summary: 'Discard the draft', description: 'Only its author.', auth: 'token', responses: [json(200, 'Discarded.', object({ discarded: S }))], problems: ['forbidden', 'not-found', 'conflict', 'busy'] },
  {
    method: 'GET',
    path: '/v1/apps/:app/envs/:env/config/draft/rebase',
    tag: 'Configuration',
    summary: 'Three-way view of a stale draft',
    auth: 'token',
    responses: [json(200, '`{ "baseVersion", "latestVersion", ... }`: base, mine, theirs, conflicts, and the merge when there are none.')],
    problems: ['forbidden', 'not-found'],
  },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config/versions', tag: 'Configuration', summary: 'Configuration versions', auth: 'token', responses: [json(200, '`{ "versions": [...] }`, newest first.')], problems: ['forbidden', 'not-found'] },
  { method: 'GET', path: '/v1/apps/:app/envs/:env/config/versions/:version', tag: 'Configuration', summary: 'One configuration version', auth: 'token', responses: [json(200, 'The version: override, effective configuration, hash, author, approvers.')], problems: ['forbidden', 'not-found'] },
  {
    method: 'GET',
    path: '/v1/apps/:app/envs/:env/config/diff',
    tag: 'Configuration',
    summary: 'Diff two versions',
    auth: 'token',
    query: [query('from', 'A version number.'), query('to', 'A version number.')],
    responses: [json(200, 'The line-by-line diff of the two effective configurations.')],
    problems: ['forbidden', 'not-found'],
  },
  // Webhooks (B17)
  { method: 'GET', path: '/v1/apps/:app/webhooks', tag: 'Webhooks', summary: 'An app\'s webhook subscriptions', description: 'Admins of the app. Never the secrets.', auth: 'token', responses: [json(200, '`{ "webhooks": [{ "id", "app", "url", "events", "kind", "createdAt", "createdBy" }] }`.')], problems: ['forbidden', 'unknown-app'] },
  {
    method: 'POST',
    path: '/v1/apps/:app/webhooks',
    tag: 'Webhooks',
    summary: 'Subscribe to an app\'s events',
    description:
      'Admins of the app. `url` must be https (plain http only on a loopback host); `events` lists event types or `<prefix>.*` (README "Webhooks"); `kind` `json` (default) posts the event, `slack` a Block Kit message for an incoming webhook. Deliveries are signed: `X-Gatekeeper-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.',
    auth: 'token',
    body: { kind: 'json', schema: webhookSchema },
    responses: [json(201, 'The subscription plus `secret` (shown only now: store it to verify signatures) and a `note`.')],
    problems: ['forbidden', 'unknown-app', 'busy'],
  },
  {
    method: 'DELETE',
    path: '/v1/apps/:app/webhooks/:id',
    tag: 'Webhooks',
    summary: 'Delete a subscription',
    description: 'Admins of the app. Its pending deliveries are parked `dead`.',
    auth: 'token',
    params: { id: WEBHOOK_ID_PARAM },
    responses: [json(200, 'Deleted.', object({ deleted: S }))],
    problems: ['forbidden', 'unknown-app', 'not-found', 'busy'],
  },
  {
    method: 'GET',
    path: '/v1/apps/:app/webhooks/:id/deliveries',
    tag: 'Webhooks',
    summary: 'A subscription\'s delivery log',
    description: 'Admins of the app. The latest 100, newest first.',
    auth: 'token',
    params: { id: WEBHOOK_ID_PARAM },
    responses: [json(200, '`{ "deliveries": [{ "id" (`<event id>.<subscription id>`), "eventId", "eventType", "eventAt", "status" (`pending` | `delivered` | `dead`), "attempts", "lastAttemptAt", "lastStatus", "lastError", "nextAttemptAt", "deliveredAt", "createdAt" }] }`.')],
    problems: ['forbidden', 'unknown-app', 'not-found'],
  },
  // Tokens
  { method: 'GET', path: '/v1/tokens', tag: 'Tokens', summary: 'API tokens', description: 'Admin. Never the secrets.', auth: 'token', responses: [json(200, '`{ "tokens": [...] }`.')], problems: ['forbidden'] },
  {
    method: 'POST',
    path: '/v1/tokens',
    tag: 'Tokens',
    summary: 'Create an API token',
    description: 'Admin. The secret is in the answer only this once (only a SHA-256 is stored).',
    auth: 'token',
    body: { kind: 'json', schema: tokenSchema },
    responses: [json(201, 'The token record plus `token` (the secret) and a `note`.')],
    problems: ['forbidden', 'busy'],
  },
  {
    method: 'DELETE',
    path: '/v1/tokens/:id',
    tag: 'Tokens',
    summary: 'Revoke an API token',
    auth: 'token',
    params: { id: { description: 'A token id (`tok_…`).', schema: { type: 'string', pattern: '^tok_[A-Za-z0-9_-]{1,64}$' } } },
    responses: [json(200, 'The revoked token record.')],
    problems: ['forbidden', 'not-found', 'busy'],
  },
  // Audit
  {
    method: 'GET',
    path: '/v1/audit',
    tag: 'Audit',
    summary: 'An app\'s audit events',
    description: 'In chain order, paged.',
    auth: 'token',
    query: [
      auditApp,
      query('environment', 'Only events of this environment.'),
      query('actor', 'Only events by this identity.'),
      query('from', 'Not before this time (ISO 8601).'),
      query('to', 'Not after this time (ISO 8601).'),
      query('limit', '1–1000, default 100.', { type: 'string', pattern: '^\\d+$' }),
      query('cursor', 'From the previous page.'),
    ],
    responses: [json(200, '`{ "events": [...], "cursor"? }`.')],
    problems: ['forbidden'],
  },
  {
    method: 'GET',
    path: '/v1/audit/security',
    tag: 'Audit',
    summary: 'Security log of a day',
    description: 'Admins: refused votes by identities with no standing on any app, kept out of the apps\' chains.',
    auth: 'token',
    query: [query('day', 'A UTC date, `YYYY-MM-DD`; default today.', { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' })],
    responses: [json(200, '`{ "day", "events": [...] }`.')],
    problems: ['forbidden'],
  },
  {
    method: 'GET',
    path: '/v1/audit/verify',
    tag: 'Audit',
    summary: 'Verify an app\'s audit chain',
    description: 'From the latest signed checkpoint to the head (`from` says where it started), or from the first event with `full=true`. Changes nothing.',
    auth: 'token',
    query: [auditApp, query('full', '`true`: verify from the first event, ignoring checkpoints.', { enum: ['true', 'false'] })],
    responses: [json(200, '`{ "ok": true, "events", "head", "from": { "seq", "checkpointAt"? } }` or `{ "ok": false, "events", "head", "from", "firstBreak": { "kind", "seq", "detail" } }`.')],
    problems: ['forbidden'],
  },
  {
    method: 'GET',
    path: '/v1/audit/export',
    tag: 'Audit',
    summary: 'Export an app\'s audit chain',
    auth: 'token',
    query: [auditApp, query('format', '`jsonl` (default) or `csv`.', { enum: ['jsonl', 'csv'] })],
    responses: [{ status: 200, description: 'The whole chain as an attachment (JSON Lines, whose last line is the head, or CSV).', content: 'file', headers: { 'X-Audit-Head': 'The chain\'s head: `<seq> <hash>`.' } }],
    problems: ['forbidden'],
  },
  // Directory
  { method: 'GET', path: '/v1/directory/groups', tag: 'Directory', summary: 'Groups and their members', description: 'Admin.', auth: 'token', responses: [json(200, '`{ "groups": [...] }`.')], problems: ['forbidden'] },
  {
    method: 'PUT',
    path: '/v1/directory/groups/:name',
    tag: 'Directory',
    summary: 'Set a group\'s members',
    description: 'Admin. Members are emails or `ci:<name>` identities.',
    auth: 'token',
    body: { kind: 'json', schema: groupSchema },
    responses: [json(200, '`{ "group", "members" }`.')],
    problems: ['forbidden', 'conflict', 'busy'],
  },
  { method: 'GET', path: '/v1/directory/grants', tag: 'Directory', summary: 'Role grants', description: 'Admin.', auth: 'token', responses: [json(200, '`{ "grants": [...] }`.')], problems: ['forbidden'] },
  {
    method: 'POST',
    path: '/v1/directory/grants',
    tag: 'Directory',
    summary: 'Grant a role',
    description: 'Admin. `subject` names exactly one of `user` or `group`; `app` and `environment` may be `*`.',
    auth: 'token',
    body: { kind: 'json', schema: grantSchema },
    responses: [json(201, 'The grant, with its `id`.')],
    problems: ['forbidden', 'conflict', 'busy'],
  },
  {
    method: 'DELETE',
    path: '/v1/directory/grants/:id',
    tag: 'Directory',
    summary: 'Revoke a grant',
    auth: 'token',
    params: { id: { description: 'A grant id (`grant_…`).', schema: { type: 'string', pattern: '^grant[-_][a-z0-9-]{1,63}$' } } },
    responses: [json(200, '`{ "revoked" }`.')],
    problems: ['forbidden', 'not-found', 'conflict', 'busy'],
  },
  // Email links
  {
    method: 'GET',
    path: '/approve/:token',
    tag: 'Email links',
    summary: 'The approval link\'s confirmation page',
    description: 'The signed link from the approval email: an HTML page with the release (or configuration diff) and a form that posts the decision. Never changes anything, so mail scanners that fetch links decide nothing. Problems are HTML pages for browsers.',
    auth: 'link',
    responses: [{ status: 200, description: 'The confirmation page (`Cache-Control: no-store`).', content: 'html' }],
    problems: ['invalid-link', 'link-expired', 'not-found'],
  },
  {
    method: 'POST',
    path: '/approve/:token',
    tag: 'Email links',
    summary: 'Decide through the approval link',
    description: 'The vote of the link\'s approver. With `Accept: text/html` the answer (and any problem) is a page.',
    auth: 'link',
    body: { kind: 'form', fields: DECISION_FORM_FIELDS, description: '`decision` (`approve` or `reject`) and an optional `comment` (at most 2000 characters, no control or bidi characters), each at most once; no other field.' },
    responses: [
      {
        status: 200,
        description: 'The decision page (HTML), or the vote as JSON.',
        content: 'html-or-json',
        schema: object({ releaseId: S, environment: S, decision: { enum: ['approve', 'reject'] }, status: S }),
      },
    ],
    problems: ['invalid-link', 'link-expired', 'link-used', 'not-an-approver', 'self-approval', 'request-closed', 'not-found', 'conflict', 'rate-limited', 'busy'],
  },
];
