import type { ConfigDraft, ConfigVersion } from '../../domain/config-change';
import type { TransactItem } from './audit-items';
import { keys } from './keys';

/**
 * The writes that publish a configuration version: the version (never
 * overwritten), the environment's pointer to it (only if it still points at
 * the version the change was made from, so a stale draft cannot publish) and,
 * for an approved draft, the draft's removal.
 */
/** `policyVersion`: publish only while the environment's policy is the one the draft's request was opened under. */
export function publishWrites(tableName: string, version: ConfigVersion, draft?: ConfigDraft, policyVersion?: number): TransactItem[] {
  const put: TransactItem = {
    Put: {
      TableName: tableName,
      Item: { ...keys.configVersion(version.app, version.environment, version.version), kind: 'config-version', ...version },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  const pointer: TransactItem = {
    Update: {
      TableName: tableName,
      Key: keys.environment(version.app, version.environment),
      UpdateExpression: 'SET configVersion = :version',
      ConditionExpression: [
        version.baseVersion === 0 ? 'attribute_exists(pk) AND (attribute_not_exists(configVersion) OR configVersion = :base)' : 'configVersion = :base',
        ...(policyVersion === undefined ? [] : ['(attribute_not_exists(policyVersion) OR policyVersion = :policyVersion)']),
      ].join(' AND '),
      ExpressionAttributeValues: { ':version': version.version, ':base': version.baseVersion, ...(policyVersion === undefined ? {} : { ':policyVersion': policyVersion }) },
    },
  };
  const removeDraft: TransactItem[] = draft
    ? [{ Delete: { TableName: tableName, Key: keys.configDraft(draft.app, draft.environment), ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': draft.id } } }]
    : [];
  return [put, pointer, ...removeDraft];
}
