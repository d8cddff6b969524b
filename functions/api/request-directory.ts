import { AsyncLocalStorage } from 'node:async_hooks';
import type { DirectoryStore, VersionedDirectory } from '../domain/ports';

/**
 * The directory as read with the caller's token (one BatchGetItem at the start
 * of each /v1 request), kept for that request only: the use cases' checks read
 * it from here instead of making a round trip of their own. Nothing outlives
 * the request, so a revoked grant counts from the next request, as before.
 */
const current = new AsyncLocalStorage<{ directory: VersionedDirectory }>();

/** Runs the rest of the request with `directory` as what `get()` answers. */
export const withRequestDirectory = <T>(directory: VersionedDirectory, run: () => Promise<T>): Promise<T> => current.run({ directory }, run);

/** `store`, answering `get()` from the request's directory when there is one; a save replaces it for the rest of the request. */
export function requestScopedDirectory(store: DirectoryStore): DirectoryStore {
  return {
    get: () => {
      const scope = current.getStore();
      return scope ? Promise.resolve(scope.directory) : store.get();
    },
    save: async (next, expectedVersion, audit) => {
      const saved = await store.save(next, expectedVersion, audit);
      const scope = current.getStore();
      if (scope) scope.directory = saved;
      return saved;
    },
  };
}
