import { createServer, request, type Server } from 'node:http';

/** Capacity units DynamoDB reported for one operation type (table and indexes together). */
export interface Consumed {
  read: number;
  write: number;
}

export interface CountingProxy {
  url: string;
  /** Requests by operation (the X-Amz-Target after the dot). */
  counts: Map<string, number>;
  /** With `capacity`: the units consumed, by operation. */
  capacity: Map<string, Consumed>;
  /** With `capacity`: error answers by operation and type (conflicts, cancelled transactions). */
  errors: Map<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Operations that take ReturnConsumedCapacity. */
const METERED = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactGetItems', 'TransactWriteItems']);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/**
 * Forwards HTTP to `target` and counts requests by their X-Amz-Target (the
 * DynamoDB operation). With `capacity`, it also asks DynamoDB for the capacity
 * each request consumed (adding `ReturnConsumedCapacity: INDEXES` to the body,
 * so production code needs no such option) and sums the answers; DynamoDB
 * Local does not check signatures, so the rewritten body is accepted.
 */
export async function startCountingProxy(target: string, options: { capacity?: boolean } = {}): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const capacity = new Map<string, Consumed>();
  const errors = new Map<string, number>();
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? 'unknown').split('.').pop() ?? 'unknown';
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const metered = options.capacity === true && METERED.has(operation);
    const forward = (body?: Buffer) => {
      const headers = body ? { ...req.headers, 'content-length': String(body.length) } : req.headers;
      const outbound = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        if (!metered) return void response.pipe(res);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answer = Buffer.concat(chunks);
          record(capacity, errors, operation, answer);
          res.end(answer);
        });
      });
      outbound.on('error', () => res.destroy());
      if (body) outbound.end(body);
      else req.pipe(outbound);
    };
    if (!metered) return forward();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      forward(Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'INDEXES' })));
    });
  });
  // Keep-alive like DynamoDB's own endpoint: the SDK reuses connections.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    capacity,
    errors,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => {
      counts.clear();
      capacity.clear();
      errors.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Units {
  CapacityUnits?: number;
}

function record(capacity: Map<string, Consumed>, errors: Map<string, number>, operation: string, answer: Buffer): void {
  let parsed: { ConsumedCapacity?: Units | Units[]; __type?: string };
  try {
    parsed = JSON.parse(answer.toString('utf8')) as typeof parsed;
  } catch {
    return; // not JSON: nothing consumed
  }
  if (parsed.__type) {
    const key = `${operation} ${parsed.__type.split('#').pop() ?? ''}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  const consumed = parsed.ConsumedCapacity;
  const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  const entry = capacity.get(operation) ?? { read: 0, write: 0 };
  if (READS.has(operation)) entry.read += units;
  else entry.write += units;
  capacity.set(operation, entry);
}
