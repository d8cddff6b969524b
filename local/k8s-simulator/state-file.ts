import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KubeObject, Plural } from './resources';

/** The state file: the persisted kinds (events are not) and the resourceVersion counter. */
export interface Snapshot {
  version: 1;
  resourceVersion: number;
  /** A kind missing from an older file (replicasets, pods, jobs) loads as empty. */
  objects: Partial<Record<Plural, KubeObject[]>>;
}

/** The snapshot at `path`, or undefined when there is no file yet. */
export function readSnapshot(path: string): Snapshot | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as Snapshot;
  } catch (error) {
    throw new Error(`k8s simulator: cannot parse state file ${path} (delete it to start empty)`, { cause: error });
  }
}

/** Writes the snapshot through a temporary file and a rename, so a crash never leaves half a file. */
export function writeSnapshot(path: string, snapshot: Snapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(snapshot, null, 2)}\n`);
  renameSync(temp, path);
}
