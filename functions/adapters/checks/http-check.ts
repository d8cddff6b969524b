import { REQUEST_TIMEOUT_SECONDS } from '../../domain/check-definitions';
import { type HttpAttempt, httpNoAnswer, httpVerdict, judgeHttpAnswer } from '../../domain/check-verdicts';
import type { CheckContext, CheckResult, HttpCheck } from '../../domain/checks';
import type { SecretRef } from '../../domain/cluster';
import { ClusterUnreachableError, NotFoundError } from '../../domain/errors';
import { httpStatus, noAnswer } from '../kubernetes/api-errors';
import { apiCallerFor, type CheckApiFor, defaultSleep, type KubeCallOptions, refusal } from './kube';

/** A Secret's value (decoded) by reference, in the environment's namespace on its cluster. */
export type ReadSecret = (namespace: string, ref: SecretRef, cluster?: string) => Promise<string>;

export interface HttpCheckOptions {
  readSecret: ReadSecret;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
  /** Per attempt (connect, headers and body). Default REQUEST_TIMEOUT_SECONDS, which the policy's duration bound counts on. */
  attemptTimeoutMs?: number;
}

/** A body larger than this is not read (a health answer is small; the JSONPath condition needs no more). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Runs an HTTP check: one request every `intervalSeconds` until one answers
 * as expected or the window ends (no attempt starts after it). A target that
 * does not answer is a failed attempt, not an error. Header values from
 * Secrets are resolved once per run and never appear in results or messages.
 * Redirects are not followed: a 3xx is an answer, and a header meant for
 * the target is not sent on to wherever it points.
 */
export class HttpCheckRunner {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => Date;
  private readonly attemptTimeoutMs: number;

  constructor(private readonly options: HttpCheckOptions) {
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? defaultSleep;
    this.clock = options.clock ?? (() => new Date());
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? REQUEST_TIMEOUT_SECONDS * 1000;
  }

  async run(check: HttpCheck, context: CheckContext): Promise<CheckResult> {
    const started = this.clock();
    const result = (passed: boolean, summary: string, attempts: HttpAttempt[]): CheckResult => {
      const finished = this.clock();
      return { name: check.name, kind: 'http', phase: check.phase, passed, startedAt: started.toISOString(), finishedAt: finished.toISOString(), summary, observations: attempts.map((a) => a.observation) };
    };
    const headers = await this.headers(check, context);
    if (typeof headers === 'string') return result(false, `${check.name}: ${headers}`, []);

    const windowEnd = started.getTime() + check.windowSeconds * 1000;
    const attempts: HttpAttempt[] = [];
    for (;;) {
      const attemptStart = this.clock().getTime();
      const attempt = await this.attempt(check, headers);
      attempts.push(attempt);
      const next = attemptStart + check.intervalSeconds * 1000;
      if (attempt.passed || next >= windowEnd) break;
      await this.sleep(Math.max(0, next - this.clock().getTime()));
    }
    const verdict = httpVerdict(check, attempts, Math.round((this.clock().getTime() - started.getTime()) / 1000));
    return result(verdict.passed, verdict.summary, attempts);
  }

  private async attempt(check: HttpCheck, headers: Headers): Promise<HttpAttempt> {
    try {
      const signal = AbortSignal.timeout(this.attemptTimeoutMs);
      const response = await this.fetch(check.url, { method: check.method, headers, signal, redirect: 'manual' });
      if (!check.jsonPath || response.status !== check.expectStatus) {
        await response.body?.cancel();
        return judgeHttpAnswer(check, response.status, undefined);
      }
      const body = await readLimited(response);
      if (body === undefined) return { passed: false, observation: `${response.status}, body too large`, problem: `answered ${response.status} with a body over ${MAX_BODY_BYTES} bytes` };
      return judgeHttpAnswer(check, response.status, body);
    } catch (error) {
      // Only the classified reason or the error's name: a message could quote a header value.
      const why = noAnswer(error, this.attemptTimeoutMs)?.reason ?? (error instanceof Error ? error.name : 'the request failed');
      return httpNoAnswer(why);
    }
  }

  /** The request headers, or (a string) why they cannot be made; a cluster that does not answer throws. */
  private async headers(check: HttpCheck, context: CheckContext): Promise<Headers | string> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(check.headers ?? {})) {
      if (typeof value === 'string') {
        headers.set(name, value);
        continue;
      }
      const where = `secret ${context.namespace}/${value.secretRef.name} key "${value.secretRef.key}"`;
      let secret: string;
      try {
        secret = await this.options.readSecret(context.namespace, value, context.cluster);
      } catch (error) {
        if (error instanceof ClusterUnreachableError) throw error;
        const why = error instanceof NotFoundError ? error.message : (refusal(error) ?? (error instanceof Error ? error.message : String(error)));
        return `header ${name} could not be read from ${where}: ${why}`;
      }
      // Secrets made with `echo` end in a newline; inside the value a control character is refused here, so fetch never throws a message quoting it.
      const trimmed = secret.trim();
      if (!isHeaderValue(trimmed)) return `the value in ${where} cannot be sent as header ${name} (empty, or a line break or control character in it)`;
      headers.set(name, trimmed);
    }
    return headers;
  }
}

// eslint-disable-next-line no-control-regex -- control characters are what a header value may not hold
const isHeaderValue = (value: string) => value !== '' && !/[\u0000-\u0008\u000A-\u001F\u007F]/.test(value);

/** The body as text, or undefined when it is larger than MAX_BODY_BYTES (the rest is not read). */
async function readLimited(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      await response.body.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The default ReadSecret: reads the Secret from the cluster's API and
 * base64-decodes `data[key]`. A missing Secret or key is a
 * NotFoundError (the check fails, saying which); an API server that does not
 * answer is ClusterUnreachableError.
 */
export function kubernetesSecretReader(checkApiFor: CheckApiFor, options: KubeCallOptions = {}): ReadSecret {
  return async (namespace, { secretRef: { name, key } }, cluster) => {
    const k8s = checkApiFor(cluster);
    const secret = await apiCallerFor(k8s.server, options)
      .request(`reading secret ${namespace}/${name}`, (signal) => k8s.readSecret(namespace, name, signal))
      .catch((error: unknown) => {
        if (httpStatus(error) === 404) throw new NotFoundError(`secret ${namespace}/${name} not found`);
        throw error;
      });
    const data = secret.data ?? {};
    // hasOwn: a key named like an Object.prototype member ("constructor") must not find the prototype's.
    if (!Object.hasOwn(data, key) || data[key] === undefined) throw new NotFoundError(`secret ${namespace}/${name} has no key "${key}"`);
    return Buffer.from(data[key], 'base64').toString('utf8');
  };
}
