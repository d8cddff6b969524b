import type { ChainHead } from '../../domain/audit-chain';

/**
 * Per-process bookkeeping for appends to audit chains. Writers in one process
 * (the local stack, a busy Lambda container reusing its module state) queue for
 * an app's chain instead of colliding on its head in DynamoDB, and remember the
 * head they wrote last, so an uncontended append is one round trip. Writers in
 * other processes still meet on the conditional head update, which stays the
 * source of truth.
 */
const tails = new Map<string, Promise<void>>();
const lastHeads = new Map<string, ChainHead>();
const MAX_HEADS = 1_000;

/** Runs `work` holding the locks of `keys` (taken in sorted order, so two writers never wait on each other crosswise). */
export async function withChainLocks<T>(keys: string[], work: () => Promise<T>): Promise<T> {
  const releases: Array<() => void> = [];
  try {
    for (const key of [...new Set(keys)].sort()) releases.push(await lock(key));
    return await work();
  } finally {
    for (const release of releases.reverse()) release();
  }
}

function lock(key: string): Promise<() => void> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => held);
  tails.set(key, tail);
  return previous.then(() => () => {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  });
}

export const rememberedHead = (key: string): ChainHead | undefined => lastHeads.get(key);

export function rememberHead(key: string, head: ChainHead | undefined): void {
  if (!head) {
    lastHeads.delete(key);
    return;
  }
  if (lastHeads.size >= MAX_HEADS && !lastHeads.has(key)) lastHeads.delete(lastHeads.keys().next().value!);
  lastHeads.set(key, head);
}
