import { parseChecks } from './check-definitions';
import type { CheckDefinition } from './checks';
import { ValidationError } from './errors';
import { parseFreezePolicy, type FreezePolicy } from './freeze';
import { isName } from './names';

/**
 * An environment's approval policy and the counting of votes against it.
 * Who may vote at all comes from role grants (see authorization.ts); the
 * policy says how many of them must agree and from which groups.
 */

/** "At least `min` approvals from members of `group`." */
export interface GroupRule {
  group: string;
  min: number;
}

export interface ApprovalPolicy {
  /** Approvals needed in total; 0 = no gate (and then no rules). */
  required: number;
  /**
   * All must be met, in addition to `required`. One approval counts toward
   * the total once and toward every rule whose group contains the voter, so
   * the rules can effectively raise the total: at least max(required, largest
   * min) people must approve, and max(required, sum of mins) when no one is in
   * two of the groups. A sum of mins above `required` is therefore allowed.
   */
  rules: GroupRule[];
  timeoutSeconds: number;
  /** A newer release to the environment supersedes an older pending request. */
  supersede: boolean;
  /** A rollback to an earlier deployment waits for approval too (default: it was approved when it shipped). */
  rollbackRequiresApproval: boolean;
  /**
   * What a deploy does when the cluster runs something else than was recorded
   * (changed out of band): `proceed` records the drift and deploys over it,
   * `refuse` fails the deploy until someone resolves it.
   */
  onDrift: 'proceed' | 'refuse';
  freeze: FreezePolicy;
  /**
   * Pre- and post-deployment checks (see checks.ts). Absent rather than empty,
   * so a policy without checks stays byte-identical to one stored before
   * checks existed (policies are compared and versioned by their JSON).
   */
  checks?: CheckDefinition[];
}

const HOUR = 3600;
const MAX_REQUIRED = 20;
const MAX_RULES = 10;
const MIN_TIMEOUT_SECONDS = 60;
const MAX_TIMEOUT_SECONDS = 30 * 24 * HOUR;
const POLICY_FIELDS = ['required', 'rules', 'timeoutSeconds', 'supersede', 'rollbackRequiresApproval', 'onDrift', 'freeze', 'checks'] as const;

/** Frozen, so spreading it (`{ ...DEFAULT_POLICY, required: 0 }`) cannot leak a mutation into every environment. */
export const DEFAULT_POLICY: ApprovalPolicy = deepFreeze({
  required: 1,
  rules: [],
  timeoutSeconds: 72 * HOUR,
  supersede: true,
  rollbackRequiresApproval: false,
  onDrift: 'proceed',
  freeze: { windows: [], onFreeze: 'wait' },
});

/** Validates a policy from the API or an app file; omitted fields take DEFAULT_POLICY's values. */
export function parsePolicy(input: unknown): ApprovalPolicy {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError('policy must be an object');
  const fields = input as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => !(POLICY_FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) throw new ValidationError(`policy has an unknown field ${JSON.stringify(unknown)} (allowed: ${POLICY_FIELDS.join(', ')})`);

  const required = integer(fields.required ?? DEFAULT_POLICY.required, 'required', 0, MAX_REQUIRED);
  const rules = parseRules(fields.rules ?? []);
  if (required === 0 && rules.length > 0) {
    throw new ValidationError('required is 0 (no approval gate) but rules are set; require at least 1 approval or remove the rules');
  }
  const timeoutSeconds = integer(fields.timeoutSeconds ?? DEFAULT_POLICY.timeoutSeconds, 'timeoutSeconds', MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
  const supersede = fields.supersede ?? DEFAULT_POLICY.supersede;
  if (typeof supersede !== 'boolean') throw new ValidationError(`supersede must be true or false, got ${JSON.stringify(supersede)}`);
  const rollbackRequiresApproval = fields.rollbackRequiresApproval ?? DEFAULT_POLICY.rollbackRequiresApproval;
  if (typeof rollbackRequiresApproval !== 'boolean') {
    throw new ValidationError(`rollbackRequiresApproval must be true or false, got ${JSON.stringify(rollbackRequiresApproval)}`);
  }
  const onDrift = fields.onDrift ?? DEFAULT_POLICY.onDrift;
  if (onDrift !== 'proceed' && onDrift !== 'refuse') throw new ValidationError(`onDrift must be "proceed" or "refuse", got ${JSON.stringify(onDrift)}`);
  const freeze = parseFreezePolicy(fields.freeze ?? {});
  const checks = fields.checks === undefined ? [] : parseChecks(fields.checks);
  const policy: ApprovalPolicy = { required, rules, timeoutSeconds, supersede, rollbackRequiresApproval, onDrift, freeze };
  if (checks.length > 0) policy.checks = checks;
  return policy;
}

function parseRules(input: unknown): GroupRule[] {
  if (!Array.isArray(input)) throw new ValidationError('rules must be an array of { group, min }');
  if (input.length > MAX_RULES) throw new ValidationError(`rules has ${input.length} entries; at most ${MAX_RULES} are allowed`);
  const rules: GroupRule[] = [];
  input.forEach((rule: unknown, i) => {
    const path = `rules[${i}]`;
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new ValidationError(`${path} must be an object { group, min }`);
    const { group, min, ...rest } = rule as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new ValidationError(`${path} has an unknown field ${JSON.stringify(extra)} (allowed: group, min)`);
    if (!isName(group)) {
      throw new ValidationError(`${path}.group must be a group name (lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters), got ${JSON.stringify(group)}`);
    }
    if (rules.some((r) => r.group === group)) throw new ValidationError(`${path}: group "${group}" already has a rule; combine them into one`);
    rules.push({ group, min: integer(min, `${path}.min`, 1, MAX_REQUIRED) });
  });
  return rules;
}

function integer(input: unknown, path: string, min: number, max: number): number {
  if (typeof input !== 'number' || !Number.isInteger(input) || input < min || input > max) {
    throw new ValidationError(`${path} must be a whole number from ${min} to ${max}, got ${input === undefined ? 'nothing' : JSON.stringify(input)}`);
  }
  return input;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------
// Evaluation

/** An eligible approver and the groups they were in when the request was opened. */
export interface Voter {
  id: string;
  groups: string[];
}

export interface BallotVote {
  voter: string;
  decision: 'approve' | 'reject';
}

export interface Evaluation {
  status: 'approved' | 'rejected' | 'pending';
  /** Distinct eligible, not excluded approvers who approved. */
  approvals: number;
  /** What is still needed while pending (empty once decided); no group = the total. */
  missing: Array<{ group?: string; count: number }>;
  /** For people: "approved", "rejected by bob@example.com", "needs 1 more approval", "needs 2 more from release-managers and 1 more from security". */
  summary: string;
}

type Counted = Pick<ApprovalPolicy, 'required' | 'rules'>;

const normalise = (id: string) => id.trim().toLowerCase();

/**
 * O(votes): a vote counts toward the total and toward every rule whose group
 * contains the voter. Votes from non-eligible or excluded ids (requester,
 * commit author) never count, whatever they are. Any eligible non-excluded
 * reject → rejected. A voter counts once however often they voted, and a
 * voter who both approved and rejected has rejected, so the result does not
 * depend on the order of the votes.
 */
export function evaluate(policy: Counted, eligible: Voter[], votes: BallotVote[], excluded: string[]): Evaluation {
  const voters = countableVoters(eligible, excluded);
  const approvers = new Set<string>();
  const rejecters = new Set<string>();
  for (const vote of votes) {
    const id = normalise(vote.voter);
    if (!voters.has(id)) continue;
    (vote.decision === 'reject' ? rejecters : approvers).add(id);
  }
  for (const id of rejecters) approvers.delete(id);
  if (rejecters.size > 0) {
    return { status: 'rejected', approvals: approvers.size, missing: [], summary: `rejected by ${list([...rejecters])}` };
  }
  const missing = stillMissing(policy, approvers, voters);
  if (missing.length === 0) return { status: 'approved', approvals: approvers.size, missing, summary: 'approved' };
  return { status: 'pending', approvals: approvers.size, missing, summary: `needs ${describe(missing)}` };
}

/**
 * Can this set of approvers, if all approved, ever satisfy the policy? Used
 * to refuse requester-named approver lists that can never pass, and when too
 * few approvers are eligible. Undefined if it can; otherwise what would still
 * be missing.
 */
export function unsatisfiable(policy: Counted, eligible: Voter[], excluded: string[]): string | undefined {
  const voters = countableVoters(eligible, excluded);
  const missing = stillMissing(policy, new Set(voters.keys()), voters);
  if (missing.length === 0) return undefined;
  const who = voters.size === 0 ? 'no one is eligible to approve' : `even if all ${voters.size} eligible approver${voters.size === 1 ? '' : 's'} approved`;
  return `${who}, it would still need ${describe(missing)}`;
}

/** Eligible ids minus the excluded ones, each with the set of their groups. */
function countableVoters(eligible: Voter[], excluded: string[]): Map<string, Set<string>> {
  const barred = new Set(excluded.map(normalise));
  const voters = new Map<string, Set<string>>();
  for (const voter of eligible) {
    const id = normalise(voter.id);
    if (barred.has(id)) continue;
    const groups = voters.get(id) ?? new Set<string>();
    for (const group of voter.groups) groups.add(group);
    voters.set(id, groups);
  }
  return voters;
}

function stillMissing(policy: Counted, approvers: Set<string>, voters: Map<string, Set<string>>): Evaluation['missing'] {
  const perGroup = new Map<string, number>();
  for (const id of approvers) {
    for (const group of voters.get(id) ?? []) perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
  }
  const missing: Evaluation['missing'] = [];
  if (approvers.size < policy.required) missing.push({ count: policy.required - approvers.size });
  for (const rule of policy.rules) {
    const count = rule.min - (perGroup.get(rule.group) ?? 0);
    if (count > 0) missing.push({ group: rule.group, count });
  }
  return missing;
}

/**
 * What is missing, for "needs …": "1 more approval", "2 more from
 * release-managers and 1 more from security". The total is mentioned only
 * when it asks for more than the largest group shortfall, since group
 * approvals count toward it too.
 */
function describe(missing: Evaluation['missing']): string {
  const groups = missing.filter((m) => m.group !== undefined);
  const fromGroups = list(groups.map((m) => `${m.count} more from ${m.group}`));
  const total = missing.find((m) => m.group === undefined)?.count ?? 0;
  if (total <= Math.max(0, ...groups.map((m) => m.count))) return fromGroups;
  const approvals = `${total} more approval${total === 1 ? '' : 's'}`;
  return groups.length === 0 ? approvals : `${approvals}, including ${fromGroups}`;
}

/** "a", "a and b", "a, b and c". */
function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
