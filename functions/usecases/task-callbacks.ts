import type { Outbox, TaskCallback, TaskCallbacks } from '../domain/ports';
import { errorFields } from '../observability/logger';
import type { Essentials } from './deps';

export interface CallbackDeps extends Essentials {
  workflow: TaskCallbacks;
  outbox: Outbox;
}

/** Attempts before the callback goes to the outbox; with the SDK's own retries this rides out a short blip. */
const ATTEMPTS = 3;
const BASE_DELAY_MS = 100;

export type CallbackOutcome = 'delivered' | 'gone' | 'deferred';

/**
 * Tells a waiting task what was decided, after the decision is committed. A
 * committed decision must reach the state machine: a few attempts with jittered
 * backoff, then a durable outbox item the reconciler delivers later. Never
 * throws for a delivery fault, so the caller can answer that the decision is
 * recorded. (If even the outbox write fails, the reconciler's sweep of in-flight
 * releases re-sends decisions of requests whose execution still runs.)
 */
export async function deliverCallback(deps: CallbackDeps, subject: { releaseId: string; app: string }, callback: TaskCallback): Promise<CallbackOutcome> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      return await send(deps.workflow, callback);
    } catch (error) {
      lastError = error;
      if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, Math.random() * BASE_DELAY_MS * 2 ** attempt));
    }
  }
  const detail = errorFields(lastError);
  try {
    await deps.outbox.add({ id: `${deps.clock().toISOString()}#${deps.newId()}`, ...subject, callback, createdAt: deps.clock().toISOString(), attempts: ATTEMPTS, lastError: [detail.error, detail.detail].filter(Boolean).join(': ') });
    deps.log.warn('workflow not reachable; decision kept in the outbox for the reconciler', { ...subject, callback: callback.kind, ...detail });
  } catch (error) {
    deps.log.error('workflow not reachable and the outbox write failed; the reconciler re-sends from the release record', { ...subject, ...detail, outboxError: errorFields(error) });
  }
  return 'deferred';
}

export function send(workflow: TaskCallbacks, callback: TaskCallback) {
  return callback.kind === 'success' ? workflow.resume(callback.taskToken, callback.output) : workflow.fail(callback.taskToken, callback.error, callback.cause);
}
