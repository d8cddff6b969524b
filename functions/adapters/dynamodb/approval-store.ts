import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApprovalRequest, Vote } from '../../domain/approval';
import type { AuditEvent } from '../../domain/audit';
import { EMPTY_CHAIN } from '../../domain/audit-chain';
import { ConflictError, InvalidStateError } from '../../domain/errors';
import type { ApprovalStore, ClosedWithoutDecision, ConfigPublication, VoteRead } from '../../domain/ports';
import { TERMINAL_STATUSES, type ReleaseStatus, type StageStatus } from '../../domain/release';
import { batchGetConsistent } from './batch-get';
import { directoryFromItem } from './directory-store';
import { AuditedWriter, type TransactItem } from './audit-items';
import { conditionally, isConditionFailure, writeIf } from './conditional';
import { publishWrites } from './config-items';
import { keys} from './keys';
import { terminalStatusValues } from './terminal-status';
import { queryAll } from './query-all';
import { readItem } from './item-schemas';

/** Pending requests sit in one index partition, ordered by app, environment and age. */
const PENDING = 'APPROVALS#pending';
const pendingSortKey = (r: Pick<ApprovalRequest, 'app' | 'environment' | 'createdAt' | 'releaseId'>) =>
  `${r.app}#${r.environment}#${r.createdAt}#${r.releaseId}`;

/** The item of an open request, listed as pending. */
export function pendingRequestItem(request: ApprovalRequest) {
  return { ...keys.approval(request.releaseId, request.environment), kind: 'approval', gsi1pk: PENDING, gsi1sk: pendingSortKey(request), ...request };
}

/** Closes a pending request without a decision (and takes it off the pending list). */
export function closeRequestWrite(tableName: string, request: ApprovalRequest, status: ClosedWithoutDecision, reason: string, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.approval(request.releaseId, request.environment),
      UpdateExpression: 'SET #status = :status, decidedAt = :at, closedReason = :reason, version = version + :one REMOVE gsi1pk, gsi1sk',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':at': at, ':reason': reason, ':pending': 'pending', ':one': 1 },
    },
  };
}

/** As the vote's read found them: the environment's policy is the request's, and its release (image requests) has not ended. */
function stands(request: ApprovalRequest, environment: Record<string, unknown> | undefined, release: Record<string, unknown> | undefined): boolean {
  const policyVersion = environment?.policyVersion;
  const policyUnchanged = policyVersion === undefined || policyVersion === request.policyVersion;
  const ended = request.gate === 'image' && TERMINAL_STATUSES.includes(release?.status as ReleaseStatus);
  return policyUnchanged && !ended;
}

const NOT_FINISHED = `NOT #status IN (${Object.keys(terminalStatusValues).join(', ')})`;

export class DynamoApprovalStore implements ApprovalStore {
  private readonly audited: AuditedWriter;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.audited = new AuditedWriter(db, tableName);
  }

  async open(request: ApprovalRequest, audit: AuditEvent): Promise<void> {
    const put = {
      Put: {
        TableName: this.tableName,
        Item: pendingRequestItem(request),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    try {
      await this.audited.write([put, this.stageStatus(request, 'waiting_for_approval', audit.at)], audit);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A retried invocation of the same task finds its own request already open.
      const existing = await this.get(request.releaseId, request.environment);
      if (existing?.taskToken === request.taskToken) return;
      // A retry of the task (e.g. after mail was down) waits on a new token: the open request, undecided, moves to it.
      if (existing?.status === 'pending' && existing.votes.length === 0) {
        await conditionally(
          () => this.audited.write([this.moveToken(existing, request.taskToken)], { ...audit, detail: { ...audit.detail, retried: true } }),
          `the approval request of release ${request.releaseId} changed while its task was retried`,
        );
        return;
      }
      if (existing) throw new ConflictError(`release ${request.releaseId} already has an approval request for ${request.environment}`);
      // No request: the condition that failed is the stage's (the release ended, or never queued this environment).
      throw new InvalidStateError(`release ${request.releaseId} has ended or has no stage for ${request.environment}; no approval request was opened`);
    }
  }

  private moveToken(existing: ApprovalRequest, taskToken: string): TransactItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.approval(existing.releaseId, existing.environment),
        UpdateExpression: 'SET taskToken = :token, version = version + :one',
        ConditionExpression: 'version = :version AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':one': 1, ':version': existing.version, ':pending': 'pending' },
      },
    };
  }

  async get(releaseId: string, environment: string): Promise<ApprovalRequest | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.approval(releaseId, environment), ConsistentRead: true }));
    return result.Item ? readItem('approval', result.Item) : undefined;
  }

  /**
   * One BatchGetItem with strongly consistent reads: each item as last
   * committed, at half the read units of TransactGetItems. No snapshot across
   * them is needed: the vote's write is conditional on the request's version
   * and the chain head, and eligibility is judged against the directory as it
   * is now. The environment and the release come along (as many keys cost no
   * more time than three) to tell whether the request still stands. Keys
   * DynamoDB leaves unprocessed are asked again.
   */
  async getForVote(releaseId: string, environment: string, app: string): Promise<VoteRead> {
    const wanted = {
      request: keys.approval(releaseId, environment),
      head: keys.auditHead(app),
      directory: keys.directory(),
      environment: keys.environment(app, environment),
      release: keys.release(releaseId),
    };
    const item = await batchGetConsistent(this.db, this.tableName, Object.values(wanted), "the vote's read");
    const stored = item(wanted.request);
    const head = item(wanted.head);
    const request = stored ? readItem('approval', stored) : undefined;
    return {
      request,
      auditHead: head ? { seq: head.seq as number, hash: head.hash as string } : EMPTY_CHAIN,
      directory: directoryFromItem(item(wanted.directory)),
      stands: request !== undefined && stands(request, item(wanted.environment), item(wanted.release)),
    };
  }

  async saveVote(next: ApprovalRequest, vote: Vote, audit: AuditEvent[], read?: Pick<VoteRead, 'auditHead' | 'stands'>, publish?: ConfigPublication): Promise<void> {
    const closed = next.status !== 'pending';
    const update = {
      Update: {
        TableName: this.tableName,
        Key: keys.approval(next.releaseId, next.environment),
        UpdateExpression: [
          'SET votes = list_append(votes, :vote), #status = :status, version = :next',
          next.decidedAt ? ', decidedAt = :decidedAt' : '',
          closed ? ' REMOVE gsi1pk, gsi1sk' : '',
        ].join(''),
        ConditionExpression: 'version = :previous AND #status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':vote': [vote],
          ':status': next.status,
          ':next': next.version,
          ':previous': next.version - 1,
          ':pending': 'pending',
          ...(next.decidedAt ? { ':decidedAt': next.decidedAt } : {}),
        },
      },
    };
    // Nothing approved under an old policy counts: the vote commits only while the policy is unchanged.
    const policyUnchanged = {
      ConditionCheck: {
        TableName: this.tableName,
        Key: keys.environment(next.app, next.environment),
        ConditionExpression: 'attribute_not_exists(policyVersion) OR policyVersion = :policyVersion',
        ExpressionAttributeValues: { ':policyVersion': next.policyVersion },
      },
    };
    const approvedBy = next.votes.filter((v) => v.decision === 'approve').map((v) => v.voter);
    const publishing = next.status === 'approved' && next.gate === 'config' && publish;
    const onApproved = next.status !== 'approved' ? [] : publishing ? publishWrites(this.tableName, publish.version, publish.draft, next.policyVersion) : [this.stageStatus(next, 'running', vote.at, approvedBy)];
    // One operation per item: when publishing, the environment's update carries the policy check itself.
    // A finished release takes no more votes: its requests were closed with it, and this holds the race.
    const releaseOpen = next.gate === 'image' && next.status !== 'approved' ? [this.releaseNotFinished(next.releaseId)] : [];
    // Except for a vote that leaves the request pending when its read found the policy unchanged and the
    // release running: it decides nothing, and whatever closes the request checks both again, so a policy
    // change or an end landing between that read and this write cannot make it count. Two items fewer in
    // the transaction, whose items are most of a vote's time (issue 13).
    const rechecked = closed || !read?.stands;
    const checks = publishing || !rechecked ? [] : [policyUnchanged, ...releaseOpen];
    await conditionally(
      () => this.audited.write([update, ...checks, ...onApproved], audit, read && new Map([[next.app, read.auditHead]])),
      `the approval request of release ${next.releaseId} changed while the vote was recorded`,
    );
  }

  close(request: ApprovalRequest, status: ClosedWithoutDecision, reason: string, audit: AuditEvent): Promise<boolean> {
    return writeIf(() => this.audited.write([closeRequestWrite(this.tableName, request, status, reason, audit.at)], audit));
  }

  async listPending(filter?: { app: string; environment?: string }): Promise<ApprovalRequest[]> {
    const prefix = filter ? `${filter.app}#${filter.environment ? `${filter.environment}#` : ''}` : undefined;
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: prefix ? 'gsi1pk = :pending AND begins_with(gsi1sk, :prefix)' : 'gsi1pk = :pending',
      ExpressionAttributeValues: { ':pending': PENDING, ...(prefix ? { ':prefix': prefix } : {}) },
    });
    const requests = items.map((item) => readItem('approval', item));
    return requests.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The request's stage in its release, while the release has not ended. */
  private stageStatus(request: ApprovalRequest, status: StageStatus, at: string, approvedBy?: string[]) {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.release(request.releaseId),
        UpdateExpression: `SET stages.#env.#status = :status, updatedAt = :at${approvedBy ? ', stages.#env.approvedBy = :approvedBy' : ''}`,
        ConditionExpression: `attribute_exists(stages.#env) AND ${NOT_FINISHED}`,
        ExpressionAttributeNames: { '#status': 'status', '#env': request.environment },
        ExpressionAttributeValues: { ':status': status, ':at': at, ...(approvedBy ? { ':approvedBy': approvedBy } : {}), ...terminalStatusValues },
      },
    };
  }

  private releaseNotFinished(releaseId: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: keys.release(releaseId),
        ConditionExpression: NOT_FINISHED,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: terminalStatusValues,
      },
    };
  }
}
