import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/free-port';

/** The Debian package `prometheus` installs it here (.ci/run installs it). */
export const PROMETHEUS = '/usr/bin/prometheus';

/** A metrics endpoint the test controls: it serves whatever text exposition it was last given. */
export interface Exporter {
  /** host:port, as a scrape target. */
  target: string;
  set(exposition: string): void;
  close(): Promise<void>;
}

export async function startExporter(exposition: string): Promise<Exporter> {
  let body = exposition;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (text) => void (body = text),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface PrometheusServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real Prometheus on a free loopback port, scraping `targets` every
 * second, with its TSDB in a temporary directory (removed by stop). Resolves
 * once /-/ready answers.
 */
export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'prometheus-'));
  const config = join(dir, 'prometheus.yml');
  const scrapeTargets = targets.map((t) => JSON.stringify(t)).join(', ');
  await writeFile(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: test\n    static_configs:\n      - targets: [${scrapeTargets}]\n`);
  const port = await freePort();
  const child = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`could not start ${PROMETHEUS}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`prometheus exited with code ${code}: ${stderr.trim()}`)));
  });
  exited.catch(() => {}); // observed through the race below
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitFor(`prometheus at ${url} to be ready`, async () => (await fetch(`${url}/-/ready`)).ok), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** Waits until the instant query returns a sample whose value satisfies `accept` (default: any). */
export async function waitForValue(url: string, query: string, accept: (value: number) => boolean = () => true): Promise<void> {
  await waitFor(`${query} to have a value at ${url}`, async () => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await response.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    const sample = body.data?.result?.[0];
    return sample !== undefined && accept(Number(sample.value[1]));
  });
}

async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
