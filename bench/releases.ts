import { setTimeout as sleep } from 'node:timers/promises';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCatalogWriter } from '../functions/adapters/dynamodb/catalog-writer';
import type { ApprovalPolicy } from '../functions/domain/policy';
import type { LocalStack } from '../local/stack';
import type { BurstOrder, BurstReport } from './burst-client';
import { percentile } from './stats';

/** A tiny CI client for the bench: start releases, wait for states, find approval links. */
export type BenchClient = ReturnType<typeof benchClient>;

export function benchClient(stack: LocalStack, token: string) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const send = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${stack.apiUrl}${path}`, { method, headers, body: JSON.stringify(body) });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<unknown>;
  };
  const release = async (id: string) =>
    (await (await fetch(`${stack.apiUrl}/v1/releases/${id}`, { headers })).json()) as { status: string; stages: Array<{ environment: string; status: string; executionArn?: string }> };
  return {
    get: async (path: string) => {
      const response = await fetch(`${stack.apiUrl}${path}`, { headers });
      if (response.status >= 300) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<unknown>;
    },
    put: (path: string, body: unknown) => send('PUT', path, body),
    post: (path: string, body: unknown) => send('POST', path, body),
    async start(image: string, app = 'hello-web'): Promise<string> {
      const response = await fetch(`${stack.apiUrl}/v1/releases`, { method: 'POST', headers, body: JSON.stringify({ app, image }) });
      if (response.status !== 201) throw new Error(`start failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    },
    release,
    async waitFor(id: string, status: string, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await release(id);
        if (current.status === status) return current;
        if (Date.now() > deadline) throw new Error(`release ${id} stuck at ${current.status}`);
        await sleep(5);
      }
    },
    /** The approval link emailed to `approver` for release `id` (the link's claim names the release and, for pipelines, the environment). */
    async linkFor(id: string, approver: string, environment?: string, timeoutMs = 10_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { emails } = (await (await fetch(`${stack.mailboxUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; body: { text?: string } }> };
        for (const email of emails) {
          const link = /(http:\/\/\S+\/approve\/([\w-]+)\.[\w-]+)/.exec(email.body.text ?? '');
          if (!link?.[2] || !email.destination.to.includes(approver)) continue;
          const claim = JSON.parse(Buffer.from(link[2], 'base64url').toString()) as { r: string; e?: string };
          if (claim.r === id && (environment === undefined || claim.e === environment)) return link[1] ?? '';
        }
        if (Date.now() > deadline) throw new Error(`no link for ${approver} on ${id}${environment ? ` (${environment})` : ''}`);
        await sleep(5);
      }
    },
  };
}

export const approve = (link: string) =>
  fetch(link, { method: 'POST', body: new URLSearchParams({ decision: 'approve' }), headers: { accept: 'application/json' } });

/** Registers synthetic apps directly, as the admin CLI does (the bench has no need for the API here). */
export class CatalogWriterFor {
  private readonly writer: DynamoCatalogWriter;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.writer = new DynamoCatalogWriter(db, tableName);
  }

  register(name: string, policy: ApprovalPolicy): Promise<boolean> {
    const at = new Date().toISOString();
    const environments = ['staging', 'prod'].map((env, order) => ({ app: name, name: env, order, target: { namespace: env, deployment: name, container: 'app' }, policy }));
    return this.writer.putApp({ name, environments }, { id: randomUUID(), app: name, actor: 'system:bench', action: 'app.registered', subject: `app/${name}`, at }, { keepExisting: true });
  }
}

export interface BurstFigures {
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  wallMs: number;
  /** The app's chain verified after the burst (GET /v1/audit/verify). */
  chainOk: boolean;
  chainEvents: number;
}

/**
 * `count` concurrent `POST /v1/releases` of one app, each with its own image and idempotency key
 * (issue 13's burst), sent by a client in its own process (burst-client.ts says why).
 */
export async function measureBurst(stack: LocalStack, ci: string, admin: string, count: number, app = 'hello-web'): Promise<BurstFigures> {
  const client = fork(fileURLToPath(new URL('./burst-client.ts', import.meta.url)), { stdio: 'inherit' });
  const report = new Promise<BurstReport>((resolve, reject) => {
    client.once('message', (message) => resolve(message as BurstReport));
    client.once('exit', (code) => reject(new Error(`the burst client exited (${code}) without a report`)));
  });
  const order: BurstOrder = { apiUrl: stack.apiUrl, token: ci, app, count, tag: randomUUID().slice(0, 8) };
  client.send(order);
  const { answers, wallMs } = await report;
  const statuses: Record<string, number> = {};
  for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1;
  const latencies = answers.map((r) => r.ms);
  const verified = (await benchClient(stack, admin).get(`/v1/audit/verify?app=${app}`)) as { ok: boolean; events: number };
  return { statuses, p50: percentile(latencies, 50), p99: percentile(latencies, 99), wallMs, chainOk: verified.ok, chainEvents: verified.events };
}
