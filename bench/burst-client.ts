/**
 * The burst's CI clients in a process of their own (forked by measureBurst). A CI job is never
 * in the API's process; when the 100 fetches ran there, their own work (undici, streams, JSON)
 * shared the one event loop with the API, the emulator and the steps, and was counted as the
 * API's answer time. Each latency here is still the whole exchange a client sees: connect,
 * send, the API's work, the answer read to its end.
 */
import { createHash } from 'node:crypto';

export interface BurstOrder {
  apiUrl: string;
  token: string;
  app: string;
  count: number;
  tag: string;
}

export interface BurstAnswer {
  status: number;
  ms: number;
}

export interface BurstReport {
  answers: BurstAnswer[];
  wallMs: number;
}

async function post(order: BurstOrder, i: number): Promise<BurstAnswer> {
  const image = `registry.example.com/${order.app}@sha256:${createHash('sha256').update(`burst-${order.tag}-${i}`).digest('hex')}`;
  const started = performance.now();
  const response = await fetch(`${order.apiUrl}/v1/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${order.token}`, 'content-type': 'application/json', 'idempotency-key': `burst-${order.tag}-${i}` },
    body: JSON.stringify({ app: order.app, image }),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

process.once('message', (order: BurstOrder) => {
  const started = performance.now();
  void Promise.all(Array.from({ length: order.count }, (_, i) => post(order, i))).then((answers) => {
    const report: BurstReport = { answers, wallMs: performance.now() - started };
    process.send?.(report, () => process.exit(0));
  });
});
