import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../../domain/ports';
import { writeIf } from './conditional';

const MAX_REMEMBERED = 10_000;

/**
 * Counter items per key and window, removed by TTL; the condition makes the count
 * exact under concurrency. A key seen over its limit is also remembered in this
 * process until its window ends, so a flood costs no I/O after the first refusal.
 */
export class DynamoRateLimiter implements RateLimiter {
  private readonly overLimitUntil = new Map<string, number>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(key: string, limit: number, windowSeconds: number, now: Date): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const retryAfterSeconds = windowStart + windowSeconds - nowSeconds;
    const allowed = await writeIf(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATE#${key}`, sk: String(windowStart) },
          UpdateExpression: 'ADD hits :one SET #ttl = :ttl, kind = :kind',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': windowStart + 2 * windowSeconds, ':kind': 'rate' },
        }),
      ),
    );
    if (!allowed) this.remember(key, (windowStart + windowSeconds) * 1000);
    return { allowed, retryAfterSeconds };
  }

  blocked(key: string, now: Date): number | undefined {
    const until = this.overLimitUntil.get(key);
    if (until === undefined) return undefined;
    if (until <= now.getTime()) {
      this.overLimitUntil.delete(key);
      return undefined;
    }
    return Math.ceil((until - now.getTime()) / 1000);
  }

  private remember(key: string, until: number): void {
    // Bounded: a process never holds more than a few thousand abusers' windows.
    if (this.overLimitUntil.size >= MAX_REMEMBERED) this.overLimitUntil.delete(this.overLimitUntil.keys().next().value!);
    this.overLimitUntil.set(key, until);
  }
}
