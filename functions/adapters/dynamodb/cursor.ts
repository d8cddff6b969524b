import { ValidationError } from '../../domain/errors';

/** Opaque page cursors: the DynamoDB key to continue from, base64url JSON. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString('base64url') : undefined;

/** A cursor is only good for the partition it came from; anything else is a 400, never a read elsewhere. */
export function decodeCursor(cursor: string, partition: string, what: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key.pk === partition && typeof key.sk === 'string') return { pk: key.pk, sk: key.sk };
  } catch {
    // fall through
  }
  throw new ValidationError(`the cursor does not belong to this ${what}; start again without one`);
}
