/** oidc-provider's own in-memory storage (lib/adapters/memory_adapter.js), which its package types do not describe. */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { Adapter } from 'oidc-provider';

  /** A fresh store per call: one per provider, so two local stacks in one process do not share state. */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => Adapter;
}
