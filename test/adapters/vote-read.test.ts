import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoApprovalStore } from '../../functions/adapters/dynamodb/approval-store';
import { keys } from '../../functions/adapters/dynamodb/keys';
import { EMPTY_CHAIN } from '../../functions/domain/audit-chain';
import { BusyError } from '../../functions/domain/errors';
import { approvalRequest } from '../support/requests';

type Key = { pk: string; sk: string };

/** A DocumentClient that answers BatchGetItem from `items`, leaving keys unprocessed as `unprocessed` says. */
function fakeDb(items: Array<Key & Record<string, unknown>>, unprocessed: (call: number, keys: Key[]) => Key[]) {
  const calls: Key[][] = [];
  const db = {
    send: async (command: unknown) => {
      if (!(command instanceof BatchGetCommand)) throw new Error('only BatchGetItem is expected');
      const request = command.input.RequestItems?.table;
      expect(request?.ConsistentRead).toBe(true);
      const asked = (request?.Keys ?? []) as Key[];
      calls.push(asked);
      const left = unprocessed(calls.length, asked);
      const answered = asked.filter((k) => !left.some((l) => l.pk === k.pk && l.sk === k.sk));
      return {
        Responses: { table: items.filter((item) => answered.some((k) => k.pk === item.pk && k.sk === item.sk)) },
        ...(left.length > 0 ? { UnprocessedKeys: { table: { Keys: left } } } : {}),
      };
    },
  };
  return { db: db as unknown as DynamoDBDocumentClient, calls };
}

describe('DynamoApprovalStore.getForVote', () => {
  const request = approvalRequest();
  const items = [
    { ...keys.approval(request.releaseId, request.environment), kind: 'approval', ...request },
    { ...keys.auditHead(request.app), seq: 7, hash: 'h'.repeat(64) },
    { ...keys.directory(), version: 3, groups: { 'release-managers': ['alice@example.com'] }, grants: [] },
  ];

  it('reads the request, the chain head, the directory, the environment and the release in one strongly consistent BatchGetItem', async () => {
    const { db, calls } = fakeDb(items, () => []);
    const read = await new DynamoApprovalStore(db, 'table').getForVote(request.releaseId, request.environment, request.app);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContainEqual(keys.environment(request.app, request.environment));
    expect(calls[0]).toContainEqual(keys.release(request.releaseId));
    expect(read.request).toMatchObject({ releaseId: request.releaseId, version: request.version });
    expect(read.auditHead).toEqual({ seq: 7, hash: 'h'.repeat(64) });
    expect(read.directory).toMatchObject({ version: 3, groups: { 'release-managers': ['alice@example.com'] } });
    expect(read.stands).toBe(true);
  });

  it('says the request no longer stands once its policy changed or its release ended', async () => {
    const environment = (policyVersion: number) => ({ ...keys.environment(request.app, request.environment), policyVersion });
    const release = (status: string) => ({ ...keys.release(request.releaseId), status });
    const stands = async (extra: Array<Key & Record<string, unknown>>) =>
      (await new DynamoApprovalStore(fakeDb([...items, ...extra], () => []).db, 'table').getForVote(request.releaseId, request.environment, request.app)).stands;
    expect(await stands([environment(request.policyVersion), release('running')])).toBe(true);
    expect(await stands([environment(request.policyVersion + 1), release('running')])).toBe(false);
    expect(await stands([environment(request.policyVersion), release('cancelled')])).toBe(false);
  });

  it('asks again for keys DynamoDB left unprocessed, and only for them', async () => {
    const { db, calls } = fakeDb(items, (call, asked) => (call === 1 ? asked.slice(1) : []));
    const read = await new DynamoApprovalStore(db, 'table').getForVote(request.releaseId, request.environment, request.app);
    expect(calls.map((c) => c.length)).toEqual([5, 4]);
    expect(read.auditHead.seq).toBe(7);
    expect(read.directory).toMatchObject({ version: 3 });
  });

  it('answers an empty chain and directory when they do not exist yet, and no request when there is none', async () => {
    const { db } = fakeDb([], () => []);
    const read = await new DynamoApprovalStore(db, 'table').getForVote('nope', 'prod', 'hello-web');
    expect(read).toMatchObject({ request: undefined, auditHead: EMPTY_CHAIN, stands: false });
  });

  it('gives up with 503 busy when keys stay unprocessed', async () => {
    const { db, calls } = fakeDb(items, (_, asked) => asked);
    await expect(new DynamoApprovalStore(db, 'table').getForVote(request.releaseId, request.environment, request.app)).rejects.toBeInstanceOf(BusyError);
    expect(calls.length).toBeGreaterThan(1);
  });
});
