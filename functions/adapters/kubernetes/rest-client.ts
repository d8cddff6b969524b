import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, request as httpRequest, STATUS_CODES } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * A minimal client of the Kubernetes REST API over node:http(s): JSON in, JSON
 * out, one kept-alive agent per cluster. It replaces @kubernetes/client-node in
 * the functions that only read and write Deployments and ConfigMaps, whose
 * bundles that library (its KubeConfig brings undici, its generated APIs
 * hundreds of KB) made 2.5 times bigger (issue 13). Failures keep the shapes
 * api-errors.ts classifies: KubernetesApiError (`code` = HTTP status) when the
 * server answered, the socket's own error (`code` ECONNREFUSED…) when it did
 * not, and the signal's reason (a TimeoutError) when the caller gave up.
 */

/** Where a cluster's API server is and how to trust it and sign in; from a kubeconfig context or an EKS cluster. */
export interface ClusterConnection {
  /** The API server's URL as configured (named in messages); may carry a path prefix. */
  server: string;
  /** PEM certificate authorities to trust instead of Node's defaults. */
  ca?: string;
  /** Accept any server certificate (kubeconfig `insecure-skip-tls-verify`). */
  insecureSkipTlsVerify?: boolean;
  /** PEM client certificate and key (kubeconfig `client-certificate(-data)`, `client-key(-data)`). */
  clientCertificate?: string;
  clientKey?: string;
  /** The bearer token of each request; a function because EKS tokens expire (it caches them). */
  token?: () => Promise<string> | string;
}

/** The API server answered with a status other than 2xx. `code` and `body` as @kubernetes/client-node's ApiException has them. */
export class KubernetesApiError extends Error {
  override readonly name = 'KubernetesApiError';
  constructor(
    readonly code: number,
    /** The answer's body: a Kubernetes Status as JSON, usually. */
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${code} ${STATUS_CODES[code] ?? ''}`.trimEnd() + statusMessage(body));
  }
}

/** `: <message>` of a Kubernetes Status body, or nothing. */
function statusMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown } | null)?.message;
    return typeof message === 'string' && message ? `: ${message.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Aborts the request (connect, headers and body); the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How the answer is read: JSON (the default) or text (a pod's log). */
  answer?: 'json' | 'text';
}

/** Answers larger than this are refused: an object is far smaller (etcd caps them at 1.5 MB), and a log is read by its tail. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export class KubernetesRestClient {
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(private readonly connection: ClusterConnection) {
    this.base = new URL(connection.server);
    if (this.base.protocol === 'https:') {
      // Kept alive: a deploy polls the same server every few seconds.
      this.agent = new HttpsAgent({
        keepAlive: true,
        ...(connection.ca === undefined ? {} : { ca: connection.ca }),
        ...(connection.clientCertificate === undefined ? {} : { cert: connection.clientCertificate, key: connection.clientKey }),
        rejectUnauthorized: !connection.insecureSkipTlsVerify,
      });
      this.send = httpsRequest;
    } else if (this.base.protocol === 'http:') {
      this.agent = new HttpAgent({ keepAlive: true });
      this.send = httpRequest;
    } else {
      throw new TypeError(`the Kubernetes API server URL must be http:// or https:// (got ${connection.server})`);
    }
  }

  get server(): string {
    return this.connection.server;
  }

  /** `path` from the API root (`/apis/apps/v1/…`, with any query); resolves with the answer's JSON, or its text. */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const { signal } = options;
    const asText = options.answer === 'text';
    signal?.throwIfAborted();
    const token = this.connection.token ? await this.connection.token() : undefined;
    signal?.throwIfAborted();
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string | number> = { Accept: asText ? 'text/plain' : 'application/json', 'User-Agent': 'gatekeeper' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (payload) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
    const url = new URL(this.base.pathname.replace(/\/+$/, '') + path, this.base);
    const what = `${method} ${path}`;

    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const fail = (error: unknown) => settle(() => reject(error));
      const onAbort = () => {
        fail(signal!.reason);
        req.destroy();
      };
      const req: ClientRequest = this.send(url, { method, headers, agent: this.agent }, (res) => {
        readBody(res, (error, body) => {
          if (error) return fail(error);
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) return fail(new KubernetesApiError(status, body, what));
          if (asText) return settle(() => resolve(body as T));
          try {
            const parsed = JSON.parse(body) as T;
            settle(() => resolve(parsed));
          } catch {
            fail(new KubernetesApiError(status, body, `${what}: the answer is not JSON`));
          }
        });
      });
      req.on('error', fail);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(payload);
    });
  }

  /** Closes the kept-alive connections (tests; a Lambda keeps them for its next invocation). */
  close(): void {
    this.agent.destroy();
  }
}

/** The whole body as text, or why it could not be read (the connection closed before its end: ECONNRESET). */
function readBody(res: IncomingMessage, done: (error: Error | undefined, body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (error: Error | undefined) => {
    if (finished) return;
    finished = true;
    done(error, error ? '' : Buffer.concat(chunks).toString('utf8'));
  };
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      finish(new Error(`the answer exceeds ${MAX_ANSWER_BYTES} bytes`));
      res.destroy();
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => finish(undefined));
  res.on('error', finish);
  res.on('close', () => {
    if (!res.complete) finish(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
  });
}
