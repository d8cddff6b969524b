import { randomUUID } from 'node:crypto';
import { type KubeObject, type Plural, type ResourceType, RESOURCES, qualifiedName } from './resources';
import { type Snapshot, readSnapshot, writeSnapshot } from './state-file';
import { ApiError } from './status';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One write, as watchers see it: `object` carries the write's resourceVersion. */
export interface Change {
  type: ChangeType;
  resource: ResourceType;
  object: KubeObject;
  /** The object before a MODIFIED or DELETED. */
  previous?: KubeObject;
}

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Kubernetes timestamps are RFC 3339 with second precision. */
export const timestamp = (date = new Date()): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const keyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);
const clone = <T>(value: T): T => structuredClone(value);

/** JSON with object keys sorted, so that equal specs compare equal whatever the clients' key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A write based on a stale resourceVersion, worded as the API server words it. */
export const conflict = (type: ResourceType, name: string) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: type.group, kind: type.plural },
  );

export const notFound = (type: ResourceType, name: string) =>
  new ApiError(404, 'NotFound', `${qualifiedName(type)} "${name}" not found`, { name, group: type.group, kind: type.plural });

/**
 * In-memory object store with the metadata semantics the simulator needs: uid,
 * a global resourceVersion counter, optimistic concurrency and generation bumps
 * on spec changes. Every method hands out copies, and every write is reported
 * to the change listeners (watches). With a `statePath`, the persisted kinds
 * are loaded from and written to that JSON file after every change (or once at
 * the end of a `batch`).
 */
export class ObjectStore {
  private resourceVersion = 0;
  private readonly objects = new Map<Plural, Map<string, KubeObject>>(
    (Object.keys(RESOURCES) as Plural[]).map((plural) => [plural, new Map<string, KubeObject>()]),
  );
  private readonly listeners = new Set<(change: Change) => void>();
  private batchDepth = 0;
  private dirty = false;

  constructor(private readonly statePath?: string) {
    if (statePath) this.load(statePath);
  }

  currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  /** Calls `listener` after every write; returns the unsubscribe function. */
  onChange(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `fn` with the state file written once at the end instead of after every write. */
  batch<T>(fn: () => T): T {
    this.batchDepth += 1;
    try {
      return fn();
    } finally {
      this.batchDepth -= 1;
      if (this.batchDepth === 0 && this.dirty) this.save();
    }
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.map(type).get(keyOf(namespace, name));
    return object && clone(object);
  }

  getOrThrow(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.get(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  list(type: ResourceType, namespace?: string): KubeObject[] {
    return [...this.map(type).values()]
      .filter((o) => !namespace || o.metadata.namespace === namespace)
      .sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name).localeCompare(keyOf(b.metadata.namespace, b.metadata.name)))
      .map(clone);
  }

  /**
   * Stores a new object (already validated); assigns uid (or takes `uid`, for
   * objects whose defaults depend on it), resourceVersion, creationTimestamp and generation.
   */
  create(type: ResourceType, object: KubeObject, options: { uid?: string; keepStatus?: boolean } = {}): KubeObject {
    const { name, namespace } = object.metadata;
    if (type.namespaced && namespace && !this.map(RESOURCES.namespaces).has(namespace)) {
      throw notFound(RESOURCES.namespaces, namespace);
    }
    const key = keyOf(namespace, name);
    if (this.map(type).has(key)) {
      throw new ApiError(409, 'AlreadyExists', `${qualifiedName(type)} "${name}" already exists`, { name, group: type.group, kind: type.plural });
    }
    const stored = clone(object);
    stored.metadata = {
      ...stored.metadata,
      uid: options.uid ?? randomUUID(),
      resourceVersion: this.nextResourceVersion(),
      creationTimestamp: timestamp(),
      ...(type.hasGeneration ? { generation: 1 } : {}),
    };
    if (type.hasGeneration && !options.keepStatus) delete stored.status;
    return this.commit(type, key, stored, undefined);
  }

  /**
   * A user write (PUT or PATCH). A non-empty metadata.resourceVersion must match
   * the stored one (409 Conflict otherwise). System metadata and, for types with
   * a status, the status are kept from the stored object; generation is bumped
   * when the spec changed.
   */
  replace(type: ResourceType, object: KubeObject): { object: KubeObject; specChanged: boolean } {
    const { name, namespace } = object.metadata;
    const key = keyOf(namespace, name);
    const existing = this.map(type).get(key);
    if (!existing) throw notFound(type, name);
    const expected = object.metadata.resourceVersion;
    if (expected && expected !== existing.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    const specChanged = type.hasGeneration && canonicalJson(object.spec) !== canonicalJson(existing.spec);
    const stored = clone(object);
    stored.metadata = {
      ...stored.metadata,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      resourceVersion: this.nextResourceVersion(),
    };
    if (type.hasGeneration) {
      stored.metadata.generation = (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0);
      stored.status = clone(existing.status);
    }
    return { object: this.commit(type, key, stored, existing), specChanged };
  }

  /**
   * A controller write of an existing object: spec, status and metadata as
   * given (no resourceVersion check); generation is bumped on a spec change.
   * Nothing is written (and undefined returned) when nothing changed.
   */
  put(type: ResourceType, object: KubeObject): KubeObject | undefined {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const existing = this.map(type).get(key);
    if (!existing) throw notFound(type, object.metadata.name);
    const stored = clone(object);
    stored.metadata = { ...stored.metadata, uid: existing.metadata.uid, creationTimestamp: existing.metadata.creationTimestamp, resourceVersion: existing.metadata.resourceVersion };
    if (type.hasGeneration) {
      const specChanged = canonicalJson(stored.spec) !== canonicalJson(existing.spec);
      stored.metadata.generation = (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    }
    if (canonicalJson(stored) === canonicalJson(existing)) return undefined;
    stored.metadata.resourceVersion = this.nextResourceVersion();
    return this.commit(type, key, stored, existing);
  }

  /** A controller write: replaces `status` (and merges `annotations`); bumps resourceVersion, never generation. */
  setStatus(type: ResourceType, namespace: string | undefined, name: string, status: unknown, annotations?: Record<string, string>): KubeObject | undefined {
    const key = keyOf(namespace, name);
    const existing = this.map(type).get(key);
    if (!existing) return undefined;
    const stored = clone(existing);
    stored.status = clone(status);
    if (annotations) stored.metadata.annotations = { ...stored.metadata.annotations, ...annotations };
    stored.metadata.resourceVersion = this.nextResourceVersion();
    return this.commit(type, key, stored, existing);
  }

  /** Removes an object; 404 when missing, 409 when a precondition does not hold. Returns it with the deletion's resourceVersion. */
  delete(type: ResourceType, namespace: string | undefined, name: string, preconditions: DeletePreconditions = {}): KubeObject {
    const key = keyOf(namespace, name);
    const existing = this.map(type).get(key);
    if (!existing) throw notFound(type, name);
    const failed = (field: string, given: string, actual: string) =>
      new ApiError(409, 'Conflict', `Precondition failed: ${field} in precondition: ${given}, ${field} in object meta: ${actual}`, { name, group: type.group, kind: type.plural });
    if (preconditions.uid && preconditions.uid !== existing.metadata.uid) throw failed('UID', preconditions.uid, existing.metadata.uid);
    if (preconditions.resourceVersion && preconditions.resourceVersion !== existing.metadata.resourceVersion) {
      throw failed('ResourceVersion', preconditions.resourceVersion, existing.metadata.resourceVersion);
    }
    this.map(type).delete(key);
    const deleted = clone(existing);
    deleted.metadata.resourceVersion = this.nextResourceVersion();
    this.changed(type, { type: 'DELETED', resource: type, object: clone(deleted), previous: clone(existing) });
    return deleted;
  }

  private map(type: ResourceType): Map<string, KubeObject> {
    const map = this.objects.get(type.plural);
    if (!map) throw new Error(`k8s simulator: no store for ${type.plural}`);
    return map;
  }

  private commit(type: ResourceType, key: string, stored: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.map(type).set(key, stored);
    const change: Change = previous
      ? { type: 'MODIFIED', resource: type, object: clone(stored), previous: clone(previous) }
      : { type: 'ADDED', resource: type, object: clone(stored) };
    this.changed(type, change);
    return clone(stored);
  }

  private changed(type: ResourceType, change: Change): void {
    if (type.persisted) {
      this.dirty = true;
      if (this.batchDepth === 0) this.save();
    }
    for (const listener of this.listeners) listener(change);
  }

  private nextResourceVersion(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  private load(path: string): void {
    const snapshot = readSnapshot(path);
    if (!snapshot) return;
    this.resourceVersion = snapshot.resourceVersion;
    for (const [plural, map] of this.objects) {
      for (const object of snapshot.objects[plural] ?? []) map.set(keyOf(object.metadata.namespace, object.metadata.name), object);
    }
  }

  private save(): void {
    this.dirty = false;
    if (!this.statePath) return;
    const objects: Snapshot['objects'] = {};
    for (const [plural, map] of this.objects) {
      if (RESOURCES[plural].persisted) objects[plural] = [...map.values()];
    }
    writeSnapshot(this.statePath, { version: 1, resourceVersion: this.resourceVersion, objects });
  }
}
