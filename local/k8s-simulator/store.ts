import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type KubeObject, type Plural, type ResourceType, RESOURCES, qualifiedName } from './resources';
import { ApiError } from './status';

interface Snapshot {
  version: 1;
  resourceVersion: number;
  objects: Record<Plural, KubeObject[]>;
}

/** Kubernetes timestamps are RFC 3339 with second precision. */
export const timestamp = (date = new Date()): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const keyOf = (namespace: string | undefined, name: string) => (namespace ? `${namespace}/${name}` : name);
const clone = <T>(value: T): T => structuredClone(value);

/** JSON with object keys sorted, so that equal specs compare equal whatever the clients' key order. */
function canonicalJson(value: unknown): string {
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

const notFound = (type: ResourceType, name: string) =>
  new ApiError(404, 'NotFound', `${qualifiedName(type)} "${name}" not found`, { name, group: type.group, kind: type.plural });

/**
 * In-memory object store with the metadata semantics the simulator needs: uid,
 * a global resourceVersion counter, optimistic concurrency and generation bumps
 * on spec changes. Every method hands out copies. With a `statePath`, the whole
 * store is loaded from and written to that JSON file (after every change).
 */
export class ObjectStore {
  private resourceVersion = 0;
  private readonly objects: Record<Plural, Map<string, KubeObject>> = {
    namespaces: new Map(),
    deployments: new Map(),
    configmaps: new Map(),
  };

  constructor(private readonly statePath?: string) {
    if (statePath) this.load(statePath);
  }

  currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.objects[type.plural].get(keyOf(namespace, name));
    return object && clone(object);
  }

  getOrThrow(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.get(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  list(type: ResourceType, namespace?: string): KubeObject[] {
    return [...this.objects[type.plural].values()]
      .filter((o) => !namespace || o.metadata.namespace === namespace)
      .sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name).localeCompare(keyOf(b.metadata.namespace, b.metadata.name)))
      .map(clone);
  }

  /** Stores a new object (already validated); assigns uid, resourceVersion, creationTimestamp and generation. */
  create(type: ResourceType, object: KubeObject): KubeObject {
    const { name, namespace } = object.metadata;
    if (type.namespaced && namespace && !this.objects.namespaces.has(namespace)) {
      throw notFound(RESOURCES.namespaces, namespace);
    }
    const key = keyOf(namespace, name);
    if (this.objects[type.plural].has(key)) {
      throw new ApiError(409, 'AlreadyExists', `${qualifiedName(type)} "${name}" already exists`, { name, group: type.group, kind: type.plural });
    }
    const stored = clone(object);
    stored.metadata = {
      ...stored.metadata,
      uid: randomUUID(),
      resourceVersion: this.nextResourceVersion(),
      creationTimestamp: timestamp(),
      ...(type.hasGeneration ? { generation: 1 } : {}),
    };
    if (type.hasGeneration) delete stored.status;
    this.objects[type.plural].set(key, stored);
    this.save();
    return clone(stored);
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
    const existing = this.objects[type.plural].get(key);
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
    this.objects[type.plural].set(key, stored);
    this.save();
    return { object: clone(stored), specChanged };
  }

  /** A controller write: replaces only `status`; bumps resourceVersion, never generation. */
  setStatus(type: ResourceType, namespace: string | undefined, name: string, status: unknown): KubeObject | undefined {
    const existing = this.objects[type.plural].get(keyOf(namespace, name));
    if (!existing) return undefined;
    existing.status = clone(status);
    existing.metadata.resourceVersion = this.nextResourceVersion();
    this.save();
    return clone(existing);
  }

  private nextResourceVersion(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  private load(path: string): void {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let snapshot: Snapshot;
    try {
      snapshot = JSON.parse(text) as Snapshot;
    } catch (error) {
      throw new Error(`k8s simulator: cannot parse state file ${path} (delete it to start empty)`, { cause: error });
    }
    this.resourceVersion = snapshot.resourceVersion;
    for (const plural of Object.keys(this.objects) as Plural[]) {
      for (const object of snapshot.objects[plural] ?? []) {
        this.objects[plural].set(keyOf(object.metadata.namespace, object.metadata.name), object);
      }
    }
  }

  private save(): void {
    if (!this.statePath) return;
    const snapshot: Snapshot = {
      version: 1,
      resourceVersion: this.resourceVersion,
      objects: {
        namespaces: [...this.objects.namespaces.values()],
        deployments: [...this.objects.deployments.values()],
        configmaps: [...this.objects.configmaps.values()],
      },
    };
    mkdirSync(dirname(this.statePath), { recursive: true });
    const temp = `${this.statePath}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(snapshot, null, 2)}\n`);
    renameSync(temp, this.statePath);
  }
}
