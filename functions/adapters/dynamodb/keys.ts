/**
 * Single-table layout. One partition per app holds its definition and
 * environments (one Query loads an app); one partition per release holds the
 * release and its approval requests (one Query renders a release); audit
 * events are grouped per app in time order.
 */
export const keys = {
  app: (app: string) => ({ pk: `APP#${app}`, sk: 'APP' }),
  environment: (app: string, env: string) => ({ pk: `APP#${app}`, sk: `ENV#${env}` }),
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' }),
  directory: () => ({ pk: 'DIRECTORY', sk: 'CURRENT' }),
  idempotency: (identity: string, key: string) => ({ pk: `IDEMPOTENCY#${identity}#${key}`, sk: 'KEY' }),
  release: (id: string) => ({ pk: `REL#${id}`, sk: 'RELEASE' }),
  approval: (releaseId: string, env: string) => ({ pk: `REL#${releaseId}`, sk: `APPROVAL#${env}` }),
  /** Zero-padded so the partition reads in chain order. */
  auditEvent: (app: string, seq: number) => ({ pk: `AUDIT#${app}`, sk: `SEQ#${String(seq).padStart(12, '0')}` }),
  auditHead: (app: string) => ({ pk: `AUDIT#${app}`, sk: 'HEAD' }),
  /** The latest signed checkpoint of the app's chain (verification starts there). */
  auditCheckpoint: (app: string) => ({ pk: `AUDIT#${app}`, sk: 'CHECKPOINT' }),
  deployment: (app: string, env: string, id: string) => ({ pk: `DEPLOY#${app}#${env}`, sk: id }),
  metricsDay: (app: string, env: string, day: string) => ({ pk: `METRICS#${app}#${env}`, sk: day }),
  configBase: (app: string) => ({ pk: `CONFIG#${app}`, sk: 'BASE' }),
  configVersion: (app: string, env: string, version: number) => ({ pk: `CONFIG#${app}#${env}`, sk: `V#${String(version).padStart(12, '0')}` }),
  configDraft: (app: string, env: string) => ({ pk: `CONFIG#${app}#${env}`, sk: 'DRAFT' }),
  /** A side effect that could not be delivered at once (a task callback); the reconciler retries it. */
  outbox: (id: string) => ({ pk: 'OUTBOX', sk: id }),
  /** B17: an app's webhook subscriptions in one partition; each subscription's deliveries in time order. */
  webhook: (app: string, id: string) => ({ pk: `WEBHOOKS#${app}`, sk: `SUB#${id}` }),
  webhookDelivery: (subscriptionId: string, eventAt: string, eventId: string) => ({ pk: `WEBHOOK#${subscriptionId}`, sk: `DELIVERY#${eventAt}#${eventId}` }),
} as const;

/** gsi2 partitions the reconciler sweeps. */
export const sweeps = {
  /** Releases that have not reached a terminal state. */
  inFlight: { gsi2pk: 'RELEASES#in-flight' },
  /** Every environment of every app (drift checks). */
  environments: { gsi2pk: 'ENVIRONMENTS' },
  /** Pending webhook deliveries by due time (sparse: delivered and dead ones leave it). */
  webhooksDue: { gsi2pk: 'WEBHOOKS#pending' },
} as const;

export const partitions = {
  app: (app: string) => `APP#${app}`,
  deployments: (app: string, env: string) => `DEPLOY#${app}#${env}`,
  metrics: (app: string, env: string) => `METRICS#${app}#${env}`,
  audit: (app: string) => `AUDIT#${app}`,
  config: (app: string, env: string) => `CONFIG#${app}#${env}`,
  release: (id: string) => `REL#${id}`,
  webhooks: (app: string) => `WEBHOOKS#${app}`,
  webhookDeliveries: (subscriptionId: string) => `WEBHOOK#${subscriptionId}`,
} as const;

/** Strips the table's own attributes from an item before it reaches the domain. */
export function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, gsi2pk: _g3, gsi2sk: _g4, ttl: _ttl, kind: _kind, ...rest } = item;
  return rest as T;
}
