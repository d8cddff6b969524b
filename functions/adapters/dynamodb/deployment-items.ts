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
  const rolledBack = finish.rolledBackId ? [markDeployment(tableName, d.app, d.environment, finish.rolledBackId, 'rolled_back')] : [];
  return [history, bucket, ...rolledBack];
}

/** Rewrites a history record's result once what followed it is known (rolled back, or its rollback failed). */
export function markDeployment(tableName: string, app: string, environment: string, id: string, result: 'rolled_back' | 'rollback_failed') {
  return {
    Update: {
      TableName: tableName,
      Key: keys.deployment(app, environment, id),
      UpdateExpression: 'SET #result = :result',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#result': 'result' },
      ExpressionAttributeValues: { ':result': result },
    },
  };
}

/** What a stage change does to its environment item, besides the failure streak. */
export interface EnvironmentChanges {
  /** Attributes to set (`current`, `deploying`, `attention`). */
  set?: Record<string, unknown>;
  /** Attributes to remove (`deploying`, `drift`, `attention`). */
  remove?: string[];
  finish?: DeploymentFinish;
}

/**
 * One update of the environment item for a stage change: what it now runs
 * (after a success), the deploy in progress, the attention flag and its failure
 * streak (after any finished deployment). DynamoDB allows one operation per
 * item in a transaction, hence one update.
 */
export function environmentUpdate(tableName: string, app: string, environment: string, changes: EnvironmentChanges) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const set = Object.entries(changes.set ?? {}).map(([name, value]) => {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    return `#${name} = :${name}`;
  });
  const remove = (changes.remove ?? []).map((name) => ((names[`#${name}`] = name), `#${name}`));
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
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    },
  };
}
