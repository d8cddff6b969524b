import { createServer } from 'node:net';

/**
 * A free loopback port below the OS's ephemeral range (32768–60999 on Linux),
 * for a test that gives a port up and takes it again (a server stopped and
 * restarted): ports from `freePort()` come from the ephemeral range, so a test
 * running in parallel can never be handed this one in between.
 */
export async function stablePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
