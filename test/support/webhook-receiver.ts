import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A webhook receiver as a customer would write one (README "Webhooks"): a
 * real HTTP server on a free loopback port that verifies
 * `X-Gatekeeper-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`
 * within a 5-minute tolerance, and answers as told: accept, fail the first N
 * requests, or never answer.
 */
export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; at: string; actor: string; subject: Record<string, unknown> };
  /** The signature checked out against the secret in force when it arrived. */
  verified: boolean;
  /** What the receiver answered. */
  answered: number | 'nothing';
}

export interface ReceiverOptions {
  /** Answer 503 to this many requests first. */
  failFirst?: number;
  /** Never answer (the connection stays open until the server closes). */
  hang?: boolean;
  /** The receiver's time (epoch ms) for the tolerance window; a test with a moving clock passes its own. */
  clock?: () => number;
}

const TOLERANCE_SECONDS = 5 * 60;

/** The documented verification: parse t and v1, recompute, compare in constant time, refuse stale timestamps. */
export function verifySignature(secret: string, header: string | undefined, body: string, now = Date.now()): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now / 1000 - t) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startReceiver(options: ReceiverOptions = {}) {
  const received: ReceivedDelivery[] = [];
  const hanging: ServerResponse[] = [];
  let secret = '';
  let failuresLeft = options.failFirst ?? 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifySignature(secret, request.headers['x-gatekeeper-signature'] as string | undefined, body, options.clock?.() ?? Date.now());
      const answered = options.hang ? 'nothing' : failuresLeft-- > 0 ? 503 : verified ? 204 : 401;
      received.push({ headers: request.headers, body, json: JSON.parse(body) as ReceivedDelivery['json'], verified, answered });
      if (answered === 'nothing') hanging.push(response);
      else response.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    useSecret: (value: string) => {
      secret = value;
    },
    /** Waits until `count` requests matched. */
    async waitFor(match: (d: ReceivedDelivery) => boolean, count = 1, timeoutMs = 15_000): Promise<ReceivedDelivery[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter(match);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`expected ${count} deliveries, got ${found.length}: ${received.map((d) => d.json.type).join(', ')}`);
        await sleep(50);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
