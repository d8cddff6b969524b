import type { Context } from 'hono';
import { parseApprovalId } from '../domain/approval';
import { ValidationError } from '../domain/errors';
import { isName, parseName, preview } from '../domain/names';

/*
 * Path parameters are checked where they enter, before any permission check
 * or read: a bad one is a 400 whoever asks, and nothing downstream (keys,
 * object lookups, audit subjects) ever sees it.
 */

const RELEASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN_ID = /^tok_[A-Za-z0-9_-]{1,64}$/;
const GRANT_ID = /^grant[-_][a-z0-9-]{1,63}$/;

const param = (c: Context, key: string): string => c.req.param(key) ?? '';

/** `:app` (and `:env` when the route has one), each under the name rule. */
export function appParam(c: Context): string {
  return parseName(param(c, 'app'), 'the app in the path');
}

export function appEnvParams(c: Context): { app: string; env: string } {
  return { app: appParam(c), env: parseName(param(c, 'env'), 'the environment in the path') };
}

export function nameParam(c: Context, key: string, what: string): string {
  return parseName(param(c, key), what);
}

export const isReleaseId = (value: string): boolean => RELEASE_ID.test(value);

export function releaseIdParam(c: Context, key = 'id'): string {
  const id = param(c, key);
  if (!isReleaseId(id)) throw new ValidationError(`${preview(id)} is not a release id`);
  return id;
}

/** `<release id>.<environment>`. */
export function approvalIdParam(c: Context): { releaseId: string; environment: string } {
  const raw = param(c, 'id');
  const id = parseApprovalId(raw);
  if (!id || !isReleaseId(id.releaseId) || !isName(id.environment)) {
    throw new ValidationError(`${preview(raw)} is not an approval id (<release id>.<environment>)`);
  }
  return id;
}

export function tokenIdParam(c: Context): string {
  const id = param(c, 'id');
  if (!TOKEN_ID.test(id)) throw new ValidationError(`${preview(id)} is not a token id (tok_…)`);
  return id;
}

export function grantIdParam(c: Context): string {
  const id = param(c, 'id');
  if (!GRANT_ID.test(id)) throw new ValidationError(`${preview(id)} is not a grant id (grant_…)`);
  return id;
}
