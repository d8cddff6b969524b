import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describeBundle, esbuildOptions } from '../cdk/lambda-bundles';
import { probe } from './bundles';

const run = promisify(execFile);

/** Where a cold start spends its CPU and its bytes, by module group (a package, or a folder of functions/). */
export interface ProfileRow {
  module: string;
  /** Self time of the group's functions in the CPU profile (import + first request), summed over the runs' median. */
  cpuMs: number;
  /** Bytes the group contributes to the bundle (esbuild's metafile). */
  kb: number;
}

/** `node_modules/@aws-sdk/client-dynamodb/…` → `@aws-sdk/client-dynamodb`; `functions/api/routes/x.ts` → `functions/api/routes`. */
export function moduleGroup(source: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (pkg) return pkg[1]!;
  const own = /((?:functions|bench)\/(?:[^/]+\/)?)[^/]*$/.exec(source);
  return own ? own[1]!.replace(/\/$/, '') : 'other';
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; lineNumber: number; columnNumber: number; functionName: string }; hitCount?: number }>;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Builds `entry` as the Lambdas are built plus a source map, runs the cold-start probe under
 * `node --cpu-prof` `runs` times, and attributes each sample's self time to the module its
 * function came from (through the source map). Nothing is attributed to the bundle's own
 * top-level code: V8 reports it as the chunk's anonymous top-level function.
 */
export async function profileColdStart(entry: string, event: unknown, env: NodeJS.ProcessEnv, runs = 5): Promise<ProfileRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'gatekeeper-profile-'));
  try {
    const { metafile } = await build({ ...esbuildOptions(entry, join(dir, 'bundle')), sourcemap: 'linked' });
    const { file } = describeBundle(metafile, join(dir, 'bundle'));
    const kb = new Map<string, number>();
    for (const output of Object.values(metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) kb.set(moduleGroup(input), (kb.get(moduleGroup(input)) ?? 0) + bytesInOutput / 1024);
    }
    const maps = new Map<string, SourceMap | undefined>();
    const sourceMapOf = async (url: string) => {
      if (!maps.has(url)) {
        const path = url.startsWith('file://') ? new URL(url).pathname : '';
        maps.set(url, path.startsWith(dir) ? new SourceMap(JSON.parse(await readFile(`${path}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]) : undefined);
      }
      return maps.get(url);
    };
    const perRun: Array<Map<string, number>> = [];
    for (let i = 0; i < runs; i++) {
      const profiles = join(dir, `profile-${i}`);
      await run(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-interval', '100', '--input-type=module', '-e', probe, file, JSON.stringify(event)], { env });
      const [name] = await readdir(profiles);
      const profile = JSON.parse(await readFile(join(profiles, name!), 'utf8')) as CpuProfile;
      const selfMs = new Map<number, number>();
      profile.samples.forEach((id, index) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000));
      const groups = new Map<string, number>();
      for (const node of profile.nodes) {
        const ms = selfMs.get(node.id) ?? 0;
        if (ms === 0) continue;
        const { url, lineNumber, columnNumber, functionName } = node.callFrame;
        const map = await sourceMapOf(url);
        const source = map?.findEntry(lineNumber, columnNumber);
        const group = source && 'originalSource' in source ? moduleGroup(source.originalSource) : url.startsWith('node:') ? 'Node.js internals (module loader, fs, net…)' : url !== '' ? moduleGroup(url) : functionName.startsWith('(') ? functionName : 'Node.js native (fs, crypto, …)';
        groups.set(group, (groups.get(group) ?? 0) + ms);
      }
      perRun.push(groups);
    }
    const names = new Set([...perRun.flatMap((groups) => [...groups.keys()]), ...kb.keys()]);
    const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    return [...names]
      .map((module) => ({ module, cpuMs: medianOf(perRun.map((groups) => groups.get(module) ?? 0)), kb: kb.get(module) ?? 0 }))
      .sort((a, b) => b.cpuMs - a.cpuMs || b.kb - a.kb);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
