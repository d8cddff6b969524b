import type { CheckApi } from '../kubernetes/check-api';
import { ApiCaller } from '../kubernetes/api-caller';
import { httpStatus } from '../kubernetes/api-errors';

/** The Kubernetes calls of a cluster by name (absent: the default cluster), from the multi-cluster registry. */
export type CheckApiFor = (cluster?: string) => CheckApi;

/** How check adapters talk to the Kubernetes API; defaults suit a Lambda, tests shorten them. */
export interface KubeCallOptions {
  /** Abort a request not fully answered after this long. Default 10 000. */
  requestTimeoutMs?: number;
  /** Attempts of a request the API server does not answer (or answers 5xx/429). Default 3. */
  transportAttempts?: number;
  /** Pause before the first retry, doubled for each next one, jittered. Default 200. */
  transportRetryDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The gateway's ApiCaller, reused so that checks classify "no answer" exactly
 * as deploys do: timeouts and quick retries, then ClusterUnreachableError
 * (which the state machine retries). Checks never write with read-modify-write,
 * so the conflict settings are unused.
 */
export function apiCallerFor(server: string, options: KubeCallOptions = {}): ApiCaller {
  return new ApiCaller({
    server,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    transportAttempts: options.transportAttempts ?? 3,
    transportRetryDelayMs: options.transportRetryDelayMs ?? 200,
    conflictAttempts: 1,
    conflictBackoffMs: { min: 0, max: 0 },
    sleep: options.sleep ?? defaultSleep,
    random: Math.random,
  });
}

/**
 * What the API server refused, for a check's summary: `HTTP 404: namespaces "x" not found`.
 * Undefined for anything that is not an API answer (those are rethrown).
 */
export function refusal(error: unknown): string | undefined {
  const status = httpStatus(error);
  if (status === undefined) return undefined;
  const body = (error as { body?: unknown }).body;
  let message: unknown;
  try {
    message = (typeof body === 'string' ? (JSON.parse(body) as { message?: unknown }) : (body as { message?: unknown } | undefined))?.message;
  } catch {
    // Not a Kubernetes Status: the status code says enough.
  }
  return typeof message === 'string' ? `HTTP ${status}: ${message.slice(0, 200)}` : `HTTP ${status}`;
}

/** A Kubernetes label value (≤ 63 of [A-Za-z0-9._-], alphanumeric at both ends) made from any text. */
export function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
