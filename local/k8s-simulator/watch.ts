import type { ServerResponse } from 'node:http';
import { type KubeObject, type ResourceType, apiVersionOf } from './resources';
import type { Selector } from './selectors';
import { badRequest } from './status';
import type { Change, ChangeType, ObjectStore } from './store';
import { type TableRequest, toTable } from './table';

/**
 * Watches (`?watch=true` or `watch=1` on a list path, or on an item path): a
 * chunked response of newline-delimited JSON events
 * `{"type":"ADDED|MODIFIED|DELETED","object":{…}}`.
 *
 * Where the stream starts: with no `resourceVersion` (or "0") it opens with an
 * ADDED event per existing object; with a resourceVersion it replays the
 * changes after it from a bounded history, and when that is too old for the
 * history (a restart, or more than HISTORY_LIMIT changes ago) it falls back to
 * ADDED events for the existing objects, where a real API server answers 410
 * Gone; clients relist either way. `sendInitialEvents=true` (client-go's
 * WatchList) sends the ADDED events then a BOOKMARK annotated
 * `k8s.io/initial-events-end`. An object that stops (starts) matching the
 * selectors is sent as DELETED (ADDED), as the API server does.
 */

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  /** A watch on an item path, or `fieldSelector=metadata.name=…` (also in `selector`). */
  name?: string;
  selector: Selector;
  resourceVersion?: string;
  timeoutSeconds?: number;
  sendInitialEvents: boolean;
  table?: TableRequest;
}

const HISTORY_LIMIT = 5000;

export class WatchHub {
  private readonly history: Change[] = [];
  /** The history holds every change with a resourceVersion above this. */
  private floor: number;
  private readonly subscribers = new Set<(change: Change) => void>();
  private readonly open = new Set<ServerResponse>();

  /** `dropped()` says whether the unreachable fault is on: then a watch is cut at its next event, like a dead server's. */
  constructor(
    private readonly store: ObjectStore,
    private readonly dropped: () => boolean,
  ) {
    this.floor = Number(store.currentResourceVersion());
    store.onChange((change) => this.push(change));
  }

  serve(res: ServerResponse, watch: WatchRequest): void {
    const from = watch.resourceVersion;
    if (from && from !== '0' && !/^\d+$/.test(from)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(from)}: must be an integer`);
    const { type } = watch;
    const matches = (o: KubeObject) =>
      (watch.namespace === undefined || o.metadata.namespace === watch.namespace) && (watch.name === undefined || o.metadata.name === watch.name) && watch.selector(o);
    const render = (o: KubeObject) => (watch.table ? toTable(type, [o], o.metadata.resourceVersion, watch.table) : o);
    const send = (eventType: ChangeType | 'BOOKMARK', object: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      if (this.dropped()) {
        res.socket?.destroy();
        return;
      }
      res.write(`${JSON.stringify({ type: eventType, object })}\n`);
    };
    const deliver = (change: Change) => {
      if (change.resource.plural !== type.plural) return;
      const now = change.type !== 'DELETED' && matches(change.object);
      const before = change.previous !== undefined && matches(change.previous);
      if (now && before) send('MODIFIED', render(change.object));
      else if (now) send('ADDED', render(change.object));
      else if (before) send('DELETED', render(change.object));
    };

    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const replay = !watch.sendInitialEvents && from && from !== '0' ? this.since(Number(from)) : undefined;
    if (replay) {
      for (const change of replay) deliver(change);
    } else {
      for (const object of this.store.list(type, watch.namespace).filter(matches)) send('ADDED', render(object));
    }
    if (watch.sendInitialEvents) {
      const metadata = { resourceVersion: this.store.currentResourceVersion(), annotations: { 'k8s.io/initial-events-end': 'true' } };
      send('BOOKMARK', { kind: type.kind, apiVersion: apiVersionOf(type), metadata });
    }
    // Subscribing in the same tick as the listing above: no change can fall in between.
    this.subscribers.add(deliver);
    this.open.add(res);
    const timer = watch.timeoutSeconds ? setTimeout(() => res.end(), watch.timeoutSeconds * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.subscribers.delete(deliver);
      this.open.delete(res);
    });
  }

  /** Ends every open watch (the simulator is closing). */
  closeAll(): void {
    for (const res of this.open) res.end();
    this.open.clear();
    this.subscribers.clear();
  }

  private push(change: Change): void {
    this.history.push(change);
    if (this.history.length > HISTORY_LIMIT) {
      const dropped = this.history.shift();
      if (dropped) this.floor = Number(dropped.object.metadata.resourceVersion);
    }
    for (const subscriber of this.subscribers) subscriber(change);
  }

  /** The changes after `resourceVersion`, or undefined when the history no longer reaches back that far. */
  private since(resourceVersion: number): Change[] | undefined {
    if (resourceVersion < this.floor) return undefined;
    return this.history.filter((c) => Number(c.object.metadata.resourceVersion) > resourceVersion);
  }
}
