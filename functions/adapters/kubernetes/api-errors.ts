import { STATUS_CODES } from 'node:http';
import { NETWORK_CODES } from '../network-codes';

/**
 * What a failed Kubernetes API call means. The REST client (rest-client.ts)
 * throws a KubernetesApiError (`code` = HTTP status, `body`) when the API
 * server answered; when it did not, it rejects with node:http's socket error
 * itself (`code` ECONNREFUSED, ECONNRESET…), or with the abort reason of the
 * request's signal (our timeout). The checks' HTTP and Prometheus requests
 * (fetch) are classified the same way.
 */

/** The HTTP status of a failed API call (KubernetesApiError.code), if the server answered. */
export function httpStatus(error: unknown): number | undefined {
  // A DOMException (our timeout's abort reason) has a numeric legacy `code` too (23), which is no HTTP status.
  if (error instanceof DOMException) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Why the API server gave no usable answer, and whether asking again soon may help. */
export interface NoAnswer {
  /** For humans: "connection refused, ECONNREFUSED", "HTTP 503 Service Unavailable"… */
  reason: string;
  retry: boolean;
}


/**
 * Certificate and protocol failures: the server is reachable but cannot be
 * trusted or spoken to. Asking again will not help (a configuration problem),
 * but it still means nothing was read or written.
 */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH$|ERR_TLS_CERT_ALTNAME_INVALID$)/;

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects (several addresses) fail with an AggregateError of the attempts.
  const first = (error as { errors?: unknown[] } | null)?.errors?.[0];
  return first === undefined ? undefined : codeOf(first);
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message.split('\n')[0]! : String(error));

/**
 * Classifies a failed call: undefined when the API server answered with
 * something other than 5xx/429 (404, 409, 422… are for the caller), else why
 * it did not answer. `timeoutMs` words our own request timeout.
 */
export function noAnswer(error: unknown, timeoutMs: number): NoAnswer | undefined {
  const status = httpStatus(error);
  if (status !== undefined) {
    if (status === 429 || status >= 500) return { reason: `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd(), retry: true };
    return undefined;
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return { reason: `no answer within ${timeoutMs / 1000}s`, retry: true };
  // fetch (undici; the checks' HTTP and Prometheus requests) reports every network-level failure as "fetch failed" with the socket error as its cause.
  const fetchFailed = error instanceof TypeError && error.message === 'fetch failed';
  const cause = fetchFailed ? (error as { cause?: unknown }).cause : error;
  const code = codeOf(cause);
  if (code !== undefined && TLS_CODE.test(code)) return { reason: `TLS: ${code}`, retry: false };
  if (code !== undefined && Object.hasOwn(NETWORK_CODES, code)) return { reason: `${NETWORK_CODES[code]}, ${code}`, retry: true };
  if (fetchFailed) return { reason: code ?? messageOf(cause), retry: true };
  return undefined;
}
