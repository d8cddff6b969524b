import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { AuditedWriter } from '../../functions/adapters/dynamodb/audit-items';
import { DynamoAuditReader } from '../../functions/adapters/dynamodb/audit-reader';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client';
import { isConditionFailure } from '../../functions/adapters/dynamodb/conditional';
import { keys } from '../../functions/adapters/dynamodb/keys';
import type { AuditEvent } from '../../functions/domain/audit';
import { chainEvents, verifyChain } from '../../functions/domain/audit-chain';
import { ensureTable } from '../../local/tables';

// Issue 13: appends to one app's chain made at once in one process are committed together (group commit).
const tableName = `gatekeeper-${randomUUID()}`;
const db = createDocumentClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') });
const writer = new AuditedWriter(db, tableName);
const reader = new DynamoAuditReader(db, tableName);

beforeAll(() => ensureTable(inject('dynamodbEndpoint'), tableName));
afterAll(() => db.destroy());

const event = (app: string, subject: string): AuditEvent => ({ id: randomUUID(), app, actor: 'ci:test', action: 'release.requested', subject, at: new Date().toISOString() });
/** A state write of its own: a new item that must not exist yet. */
const create = (id: string) => ({ Put: { TableName: tableName, Item: { pk: `TEST#${id}`, sk: 'ITEM', kind: 'test' }, ConditionExpression: 'attribute_not_exists(pk)' } });
const verified = async (app: string) => verifyChain(await reader.all(app), { expectedHead: await reader.head(app) });

describe('AuditedWriter', () => {
  it('commits 40 concurrent appends to one chain in a few transactions, every event once, in an intact chain', async () => {
    const send = vi.spyOn(db, 'send');
    const ids = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(ids.map((id) => writer.write([create(id)], event('burst', `release/${id}`))));
    const transactions = send.mock.calls.filter(([command]) => command instanceof TransactWriteCommand).length;
    send.mockRestore();
    expect(transactions).toBeLessThan(10);
    const events = await reader.all('burst');
    expect(events.map((e) => e.subject).sort()).toEqual(ids.map((id) => `release/${id}`).sort());
    expect(await verified('burst')).toMatchObject({ ok: true, events: 40 });
  });

  it('refuses only the append whose own condition failed, with its own reasons; the others commit', async () => {
    const taken = randomUUID();
    await writer.write([create(taken)], event('refusals', 'first'));
    const ids = Array.from({ length: 9 }, () => randomUUID());
    const results = await Promise.allSettled([...ids.map((id) => writer.write([create(id)], event('refusals', id))), writer.write([create(taken)], event('refusals', 'again'))]);
    expect(results.slice(0, 9).every((r) => r.status === 'fulfilled')).toBe(true);
    const refused = results[9];
    expect(refused?.status).toBe('rejected');
    const error = (refused as PromiseRejectedResult).reason as TransactionCanceledException;
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(isConditionFailure(error)).toBe(true);
    // Its write, its event and the head move: the reasons of its own transaction, not the batch's.
    expect(error.CancellationReasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None', 'None']);
    const events = await reader.all('refusals');
    expect(events.map((e) => e.subject)).not.toContain('again');
    expect(await verified('refusals')).toMatchObject({ ok: true, events: 10 });
  });

  it('never puts two appends touching one item in one transaction: the second meets the first as a condition, not a validation error', async () => {
    const id = randomUUID();
    const results = await Promise.allSettled([writer.write([create(randomUUID())], event('same-item', 'other')), writer.write([create(id)], event('same-item', 'a')), writer.write([create(id)], event('same-item', 'b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(isConditionFailure((results[2] as PromiseRejectedResult).reason)).toBe(true);
    expect(await verified('same-item')).toMatchObject({ ok: true, events: 2 });
  });

  it('rebuilds the chain part when another process moved the head, and still commits the whole batch', async () => {
    await writer.write([], event('elsewhere', 'here'));
    // Another process (a Lambda container) appends behind this process's back; this process still remembers the old head.
    const head = await writer.head('elsewhere');
    const theirs = chainEvents(head, [event('elsewhere', 'there')]);
    const [their] = theirs.events;
    await db.send(new PutCommand({ TableName: tableName, Item: { ...keys.auditEvent('elsewhere', their!.seq), kind: 'audit', ...their } }));
    await db.send(new UpdateCommand({ TableName: tableName, Key: keys.auditHead('elsewhere'), UpdateExpression: 'SET seq = :seq, #hash = :hash', ExpressionAttributeNames: { '#hash': 'hash' }, ExpressionAttributeValues: { ':seq': theirs.head.seq, ':hash': theirs.head.hash } }));
    await Promise.all(Array.from({ length: 5 }, (_, i) => writer.write([create(randomUUID())], event('elsewhere', `later-${i}`))));
    expect(await verified('elsewhere')).toMatchObject({ ok: true, events: 7 });
  });
});
