import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { Directory } from '../../domain/authorization';
import type { DirectoryStore, VersionedDirectory } from '../../domain/ports';
import { AuditedWriter } from './audit-items';
import { conditionally } from './conditional';
import { keys } from './keys';

const EMPTY: VersionedDirectory = { version: 0, groups: {}, grants: [] };

/** The directory item as the domain sees it (empty until the first change). */
export function directoryFromItem(item: Record<string, unknown> | undefined): VersionedDirectory {
  if (!item) return EMPTY;
  const { version, groups, grants } = item as unknown as VersionedDirectory;
  return { version, groups, grants };
}

/**
 * Groups and grants live in one versioned item: authorizing a request is one
 * GetItem, and every change is conditional on the version it was made from,
 * so two admins editing at once cannot lose each other's change.
 */
export class DynamoDirectoryStore implements DirectoryStore {
  private readonly audited: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.audited = new AuditedWriter(db, tableName);
  }

  async get(): Promise<VersionedDirectory> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.directory(), ConsistentRead: true }));
    return directoryFromItem(result.Item);
  }

  async save(next: Directory, expectedVersion: number, audit: AuditEvent): Promise<VersionedDirectory> {
    const saved: VersionedDirectory = { version: expectedVersion + 1, groups: next.groups, grants: next.grants };
    const put = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.directory(), kind: 'directory', ...saved },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
      },
    };
    await conditionally(
      () => this.audited.write([put], audit),
      'groups or grants were changed by someone else meanwhile; reload and try again',
    );
    return saved;
  }
}
