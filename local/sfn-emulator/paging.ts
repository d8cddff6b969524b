import { SfnServiceError } from './errors';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/**
 * Offset pagination with opaque `nextToken`s bound to one listing (`scope`), e.g. one execution's history
 * in one order. `maxResults` 0/absent means the default page size (100), as in the service.
 */
export function paginate<T>(items: readonly T[], scope: string, maxResults: number | undefined, nextToken: string | undefined): { page: T[]; nextToken?: string } {
  const size = maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new SfnServiceError('ValidationException', `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE_SIZE}`);
  }
  const offset = nextToken === undefined ? 0 : decodeToken(nextToken, scope);
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { page, nextToken: encodeToken(scope, next) } : { page };
}

function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64url');
}

function decodeToken(token: string, scope: string): number {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof decoded === 'object' && decoded !== null && 's' in decoded && 'o' in decoded) {
      const { s, o } = decoded;
      if (s === scope && typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
    }
  } catch {
    // fall through: malformed token
  }
  throw new SfnServiceError('InvalidToken', `Invalid Token: '${token}'`);
}
