import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Where an execution reports its changes; in memory (no data directory) every call is a no-op. */
export interface ExecutionSink {
  /** Something changed: write it soon (changes close together become one write). */
  changed(): void;
  /** Resolves once everything changed so far is written (a failed write is logged, not thrown). */
  flush(): Promise<void>;
  /**
   * Takes a final snapshot now and stops writing: what happens afterwards (the aborts of close())
   * never reaches the disk, so the next start resumes the execution.
   */
  freeze(): Promise<void>;
}

export const memorySink: ExecutionSink = {
  changed: () => undefined,
  flush: () => Promise.resolve(),
  freeze: () => Promise.resolve(),
};

/**
 * Replaces a file's content atomically: readers (and a restart after SIGKILL) see the old or the new
 * content, never a torn one, because rename(2) within a directory is atomic. Not fsync'ed: this
 * survives process crashes, not power loss, which is enough for a local emulator.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

/** Keeps one file equal to `snapshot()`, rewriting it whole after changes. */
export class SnapshotWriter implements ExecutionSink {
  /** Bumped by every change; `written` is the generation the file holds. */
  private generation = 0;
  private written = 0;
  private draining: Promise<void> | undefined;
  private frozen: Promise<void> | undefined;
  private waiters: Array<{ generation: number; resolve: () => void }> = [];
  private directoryReady = false;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => string,
    private readonly log: (line: string) => void,
  ) {}

  changed(): void {
    if (this.frozen) return;
    this.generation++;
    this.draining ??= this.drain();
  }

  flush(): Promise<void> {
    if (this.frozen) return this.frozen;
    this.changed();
    const generation = this.generation;
    return new Promise((resolve) => this.waiters.push({ generation, resolve }));
  }

  freeze(): Promise<void> {
    if (this.frozen) return this.frozen;
    // Captured synchronously: the caller mutates the execution (aborts it) right after this call.
    const last = this.written < this.generation ? { text: this.snapshot(), generation: this.generation } : undefined;
    this.frozen = (async () => {
      await this.draining; // an in-flight write lands first, so the final one wins the rename
      if (last) await this.write(last.text, last.generation);
      for (const waiter of this.waiters) waiter.resolve();
      this.waiters = [];
    })();
    return this.frozen;
  }

  private async drain(): Promise<void> {
    // One macrotask first: a burst of engine events (delivered in microtasks) becomes a single write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (!this.frozen && this.written < this.generation) {
      const generation = this.generation;
      await this.write(this.snapshot(), generation);
    }
    this.draining = undefined;
  }

  private async write(text: string, generation: number): Promise<void> {
    try {
      if (!this.directoryReady) await mkdir(dirname(this.path), { recursive: true });
      this.directoryReady = true;
      await writeFileAtomic(this.path, text);
    } catch (error) {
      this.log(`[sfn] could not write ${this.path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.written = Math.max(this.written, generation);
    this.waiters = this.waiters.filter((waiter) => (waiter.generation <= this.written ? (waiter.resolve(), false) : true));
  }
}
