import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';

type StartSes = (config: { host: string; port: number }) => Promise<Server>;

/**
 * aws-ses-v2-local is CommonJS with an `exports.default`; Node's ESM loader
 * hands us the whole exports object while bundlers/vitest unwrap it.
 */
const startSes: StartSes =
  typeof sesModule === 'function' ? sesModule : (sesModule as unknown as { default: StartSes }).default;

/** The fault switch's path on the emulator (like the Kubernetes simulator's `/_simulator/...`). */
export const SES_FAULTS_PATH = '/_emulator/faults';

/** `refuse`: the next N send calls (or all, with `true`) answer 503 ServiceUnavailable and send nothing. */
export interface SesFaults {
  refuse: number | boolean;
}

export interface SesEmulator {
  url: string;
  setFaults(faults: SesFaults): void;
  clearFaults(): void;
  close(): Promise<void>;
}

/**
 * The SES emulator: SES v1/v2 send APIs, a mailbox page at `/` and JSON at
 * `GET /store`, behind a small front that adds a fault switch:
 * `PUT /_emulator/faults {"refuse": 3}` (or `true`), `GET` shows it, `DELETE` clears it.
 * Only sends (POSTs to the API) are refused; the mailbox keeps answering.
 */
export async function startSesEmulator(port: number): Promise<SesEmulator> {
  const inner = await startSes({ host: '127.0.0.1', port: 0 });
  const innerPort = (inner.address() as AddressInfo).port;
  let refuse: number | boolean = false;
  const front = createServer((req, res) => {
    if (req.url === SES_FAULTS_PATH) return void control(req, res);
    if (req.method === 'POST' && refuse !== false && refuse !== 0) {
      if (typeof refuse === 'number') refuse -= 1;
      res.writeHead(503, { 'content-type': 'text/xml' });
      return void res.end('<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>SES emulator fault switch: refused</Message></Error></ErrorResponse>');
    }
    const upstream = forward({ host: '127.0.0.1', port: innerPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const control = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const parsed = parseFaults(body);
      if (!parsed) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('expected {"refuse": <count> | true | false}');
      refuse = parsed.refuse;
    } else if (req.method === 'DELETE') refuse = false;
    else if (req.method !== 'GET') return void res.writeHead(405).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ refuse }));
  };
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, '127.0.0.1', () => resolve());
  });
  const close = (server: Server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    setFaults: (faults) => void (refuse = faults.refuse),
    clearFaults: () => void (refuse = false),
    close: async () => {
      await close(front);
      await close(inner);
    },
  };
}

function parseFaults(body: string): SesFaults | undefined {
  try {
    const value = (JSON.parse(body) as { refuse?: unknown }).refuse;
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value) && value >= 0)) return { refuse: value };
  } catch {
    // not JSON
  }
  return undefined;
}
