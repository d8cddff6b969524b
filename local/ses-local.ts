import type { Server } from 'node:http';
import sesModule from 'aws-ses-v2-local';

type StartSes = (config: { host: string; port: number }) => Promise<Server>;

/**
 * aws-ses-v2-local is CommonJS with an `exports.default`; Node's ESM loader
 * hands us the whole exports object while bundlers/vitest unwrap it.
 */
const startSes: StartSes =
  typeof sesModule === 'function' ? sesModule : (sesModule as unknown as { default: StartSes }).default;

/** The SES emulator: SES v1/v2 send APIs, a mailbox page at `/` and JSON at `GET /store`. */
export function startSesEmulator(port: number): Promise<Server> {
  return startSes({ host: '127.0.0.1', port });
}
