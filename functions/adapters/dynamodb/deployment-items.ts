import type { DeploymentFinish } from '../../domain/ports';
import { keys } from './keys';

/**
 * The writes that record a finished deployment, for the same transaction as
 * the stage it finishes: the history item, the day bucket (ADD and
 * list_append, so concurrent finishes never lose a count). The environment's
 * failure streak is part of the environment update (`environmentUpdate`).
 * Metrics are answered from the buckets alone.
 */
export function deploymentWrites(tableName: string, finish: DeploymentFinish) {
  const { deployment: d, increment } = finish;
  const history = {
    Put: {
      TableName: tableName,
      Item: { ...keys.deployment(d.app, d.environment, d.id), kind: 'deployment', ...d },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  const bucket = {
    Update: {
      TableName: tableName,
      Key: keys.metricsDay(d.app, d.environment, finish.day),
      UpdateExpression:
        'SET #day = :day, leadTimeSeconds = list_append(if_not_exists(leadTimeSeconds, :empty), :lead), restoreSeconds = list_append(if_not_exists(restoreSeconds, :empty), :restore) ADD deployments :deployments, successes :successes, failures :failures',
      ExpressionAttributeNames: { '#day': 'day' },
      ExpressionAttributeValues: {
        ':day': finish.day,
        ':empty': [],
        ':lead': increment.leadTimeSeconds,
        ':restore': increment.restoreSeconds,
        ':deployments': increment.deployments,
        ':successes': increment.successes,
        ':failures': increment.failures,
      },
    },
  };
  const rolledBack = finish.rolledBackId
    ? [
        {
          Update: {
            TableName: tableName,
            Key: keys.deployment(d.app, d.environment, finish.rolledBackId),
            UpdateExpression: 'SET #result = :rolledBack',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#result': 'result' },
            ExpressionAttributeValues: { ':rolledBack': 'rolled_back' },
          },
        },
      ]
    : [];
  return [history, bucket, ...rolledBack];
}

/**
 * One update of the environment item for a stage change: what it now runs
 * (after a success) and its failure streak (after any finished deployment).
 * DynamoDB allows one operation per item in a transaction, hence one update.
 */
export function environmentUpdate(tableName: string, app: string, environment: string, changes: { current?: Record<string, unknown>; finish?: DeploymentFinish }) {
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, unknown> = {};
  if (changes.current) {
    set.push('#current = :current');
    values[':current'] = changes.current;
  }
  const conditions = ['attribute_exists(pk)'];
  if (changes.finish) {
    // Two finishes racing on one environment must not both build on the same streak.
    if (changes.finish.previousFailingSince) {
      conditions.push('failingSince = :previousSince');
      values[':previousSince'] = changes.finish.previousFailingSince;
    } else conditions.push('attribute_not_exists(failingSince)');
    if (changes.finish.failingSince) {
      set.push('failingSince = :since');
      values[':since'] = changes.finish.failingSince;
    } else remove.push('failingSince');
  }
  if (set.length === 0 && remove.length === 0) return undefined;
  return {
    Update: {
      TableName: tableName,
      Key: keys.environment(app, environment),
      UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].join(' ').trim(),
      ConditionExpression: conditions.join(' AND '),
      ...(changes.current ? { ExpressionAttributeNames: { '#current': 'current' } } : {}),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    },
  };
}
