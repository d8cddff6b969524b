import type { WebhookTransport } from '../../domain/webhooks';

/**
 * Posts with Node's fetch. Redirects are not followed (a 3xx is a failed
 * attempt: the subscription's URL is the one the admin gave), the answer's
 * body is not read, and a receiver that does not answer within the timeout
 * is a failed attempt too. Never throws.
 */
export const httpWebhookTransport: WebhookTransport = {
  async post(url, body, headers, timeoutMs) {
    try {
      const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      return { error: describe(error, timeoutMs) };
    }
  },
};

function describe(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = error.cause instanceof Error ? `: ${(error.cause as Error & { code?: string }).code ?? error.cause.message}` : '';
  return `${error.message}${cause}`.slice(0, 300);
}
