import type { ServerResponse } from 'node:http';
import { hasEnded, type LogRequest, logLines, renderLines, tail } from './logs';
import type { Pod } from './resources';
import type { ObjectStore } from './store';

/**
 * `follow=true`: writes the output so far, then each line the container adds as
 * the pod changes, and ends when the container ends or the pod is deleted (or
 * stays open while it runs, as for a Deployment's pod, until the client goes).
 */
export function followPodLog(store: ObjectStore, res: ServerResponse, pod: Pod, request: LogRequest): void {
  const initial = logLines(pod, request.container); // throws 400 before anything is written
  let written = initial.length;
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.write(renderLines(pod, request, tail(request, initial)));
  if (hasEnded(pod, request.container)) {
    res.end();
    return;
  }
  const unsubscribe = store.onChange((change) => {
    if (change.resource.plural !== 'pods' || change.object.metadata.uid !== pod.metadata.uid) return;
    if (change.type === 'DELETED') {
      res.end();
      return;
    }
    const current = change.object as Pod;
    let lines: string[];
    try {
      lines = logLines(current, request.container);
    } catch {
      res.end(); // the container went back to waiting: no more output (and a listener must not throw into the store)
      return;
    }
    res.write(renderLines(current, request, lines.slice(written)));
    written = lines.length;
    if (hasEnded(current, request.container)) res.end();
  });
  res.on('close', unsubscribe);
}
