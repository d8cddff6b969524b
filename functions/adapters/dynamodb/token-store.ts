import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit';
import type { ApiToken } from '../../domain/catalog';
import type { TokenStore, VersionedDirectory } from '../../domain/ports';
import { AuditedWriter } from './audit-items';
import { batchGetConsistent } from './batch-get';
import { writeIf } from './conditional';
import { directoryFromItem } from './directory-store';
import { keys} from './keys';
import { queryAll } from './query-all';
import { readItem } from './item-schemas';

const TOKENS = 'TOKENS';

/**
 * API tokens keyed by the SHA-256 of their secret (the lookup on every
 * request is one GetItem) and indexed by id for listing and revocation.
 */
export class DynamoTokenStore implements TokenStore {
  private readonly audited: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.audited = new AuditedWriter(db, tableName);
  }

  async find(hash: string): Promise<ApiToken | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.token(hash) }));
    return result.Item ? readItem('token', result.Item) : undefined;
  }

  /**
   * Both items strongly consistent, in one BatchGetItem: a revoked token or a
   * removed grant counts from the moment it is written, and the request's
   * checks judge one directory read (issue 13: one round trip, not two).
   */
  async findWithDirectory(hash: string): Promise<{ token: ApiToken | undefined; directory: VersionedDirectory }> {
    const item = await batchGetConsistent(this.db, this.tableName, [keys.token(hash), keys.directory()], 'the API token\'s read');
    const token = item(keys.token(hash));
    return { token: token ? readItem('token', token) : undefined, directory: directoryFromItem(item(keys.directory())) };
  }

  async create(token: ApiToken, audit: AuditEvent): Promise<void> {
    const put = {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.token(token.hash), kind: 'token', gsi1pk: TOKENS, gsi1sk: token.id, ...token },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    await this.audited.write([put], audit);
  }

  async list(): Promise<ApiToken[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :tokens',
      ExpressionAttributeValues: { ':tokens': TOKENS },
    });
    return items.map((item) => readItem('token', item));
  }

  async revoke(id: string, audit: AuditEvent): Promise<ApiToken | undefined> {
    const found = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :tokens AND gsi1sk = :id',
        ExpressionAttributeValues: { ':tokens': TOKENS, ':id': id },
      }),
    );
    const item = found.Items?.[0];
    if (!item) return undefined;
    const token = readItem('token', item);
    const update = {
      Update: {
        TableName: this.tableName,
        Key: keys.token(token.hash),
        UpdateExpression: 'SET revokedAt = :at, revokedBy = :by',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':at': audit.at, ':by': audit.actor },
      },
    };
    // Revoking twice keeps the first revocation (and writes nothing).
    const revoked = await writeIf(() => this.audited.write([update], audit));
    return revoked ? { ...token, revokedAt: audit.at, revokedBy: audit.actor } : token;
  }
}
