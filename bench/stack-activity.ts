import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The local stack's outgoing HTTP calls (DynamoDB and its stream, the Step
 * Functions emulator, the SES emulator, the clusters), seen through Node's
 * http client diagnostics channels: the whole stack runs in this process, so
 * every call any part of it makes passes here. The bench waits on it until
 * the stack is quiet, as it is by the time a person reads an email and clicks.
 */
export interface StackActivity {
  /**
   * Resolves once no call is in flight, the stream poller has read the stream
   * (one GetRecords, started and answered) since the last other call ended, and
   * nothing at all has been called for `settleMs` since. Gives up after `timeoutMs`.
   */
  quiet(settleMs: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

const CHANNELS = { start: 'http.client.request.start', answered: 'http.client.response.finish', failed: 'http.client.request.error' } as const;
/** A call this old is taken as lost (a destroyed socket may publish neither end). */
const STALE_MS = 10_000;
const isStreamPoll = (request: ClientRequest) => String(request.getHeader('x-amz-target') ?? '').endsWith('.GetRecords');

export function watchStackActivity(): StackActivity {
  const inFlight = new Map<ClientRequest, { started: number; poll: boolean }>();
  /** When the last call other than a stream poll ended, and when the last poll that began after it was answered. */
  let lastWork = performance.now();
  let lastPollSinceWork: number | undefined;
  let lastAny = performance.now();

  const start = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const now = performance.now();
    inFlight.set(request, { started: now, poll: isStreamPoll(request) });
    lastAny = now;
  };
  const end = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const call = inFlight.get(request);
    if (!call) return;
    inFlight.delete(request);
    const now = performance.now();
    lastAny = now;
    if (!call.poll) {
      lastWork = now;
      lastPollSinceWork = undefined;
    } else if (call.started >= lastWork) lastPollSinceWork = now;
  };
  subscribe(CHANNELS.start, start);
  subscribe(CHANNELS.answered, end);
  subscribe(CHANNELS.failed, end);

  const isQuiet = (settleMs: number) => {
    const now = performance.now();
    for (const [request, call] of inFlight) if (now - call.started > STALE_MS) inFlight.delete(request);
    return inFlight.size === 0 && lastPollSinceWork !== undefined && now - lastAny >= settleMs;
  };

  return {
    async quiet(settleMs, timeoutMs = 10_000) {
      for (const deadline = performance.now() + timeoutMs; !isQuiet(settleMs) && performance.now() < deadline; ) await sleep(5);
    },
    close() {
      unsubscribe(CHANNELS.start, start);
      unsubscribe(CHANNELS.answered, end);
      unsubscribe(CHANNELS.failed, end);
    },
  };
}
