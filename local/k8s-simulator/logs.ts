import { FAILING_CHECK_MARKER } from './jobs';
import type { Container, Pod } from './resources';
import { ApiError, badRequest } from './status';

/**
 * `GET /api/v1/namespaces/{ns}/pods/{name}/log`: made-up but deterministic
 * output derived from the pod (its image, command and args, and how it ended),
 * so tests can assert on it. Query parameters: `container` (needed when the pod
 * has several), `tailLines`, `limitBytes`, `timestamps`, `follow` (the answer
 * stays open until the container ends; limitBytes is not applied then);
 * `previous` answers 400 as there are no restarts.
 */
export interface LogRequest {
  container: Container;
  tailLines?: number;
  timestamps: boolean;
  limitBytes?: number;
  follow: boolean;
}

const isTrue = (value: string | null) => value === 'true' || value === '1';

/** Checks the query parameters against the pod (400 for a bad one). */
export function logRequest(pod: Pod, params: URLSearchParams): LogRequest {
  const container = pickContainer(pod, params.get('container'));
  if (isTrue(params.get('previous'))) throw badRequest(`previous terminated container "${container.name}" in pod "${pod.metadata.name}" not found`);
  const number = (name: string, min: number) => {
    const text = params.get(name);
    if (text === null) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw badRequest(`${name}: Invalid value: ${JSON.stringify(text)}: must be an integer of at least ${min}`);
    return n;
  };
  return { container, tailLines: number('tailLines', 0), timestamps: isTrue(params.get('timestamps')), limitBytes: number('limitBytes', 1), follow: isTrue(params.get('follow')) };
}

/** The container's output so far; 400 while it waits to start (it has none). */
export function logLines(pod: Pod, container: Container): string[] {
  const status = pod.status?.containerStatuses?.find((s) => s.name === container.name);
  if (!status || status.state.waiting) {
    const reason = status?.state.waiting?.reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : 'ContainerCreating';
    throw badRequest(`container "${container.name}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`);
  }
  return outputLines(pod, container);
}

/** Whether the container has ended, so that no more output comes. */
export const hasEnded = (pod: Pod, container: Container): boolean =>
  pod.status?.containerStatuses?.find((s) => s.name === container.name)?.state.terminated !== undefined;

/** Lines as the response carries them (timestamps first when asked for). */
export function renderLines(pod: Pod, request: LogRequest, lines: string[]): string {
  const status = pod.status?.containerStatuses?.find((s) => s.name === request.container.name);
  const stamp = (status?.state.running?.startedAt ?? status?.state.terminated?.startedAt ?? '').replace(/Z$/, '.000000000Z');
  return lines.map((line) => `${request.timestamps ? `${stamp} ` : ''}${line}\n`).join('');
}

/** The lines `tailLines` keeps. */
export const tail = (request: LogRequest, lines: string[]): string[] =>
  request.tailLines === undefined ? lines : request.tailLines === 0 ? [] : lines.slice(-request.tailLines);

/** The whole answer of a request that does not follow. */
export function podLog(pod: Pod, request: LogRequest): string {
  const text = renderLines(pod, request, tail(request, logLines(pod, request.container)));
  return request.limitBytes === undefined ? text : Buffer.from(text).subarray(0, request.limitBytes).toString('utf8');
}

function pickContainer(pod: Pod, name: string | null): Container {
  const containers = pod.spec.containers;
  if (name === null || name === '') {
    if (containers.length === 1) return containers[0]!;
    throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
  }
  const found = containers.find((c) => c.name === name);
  if (!found) throw new ApiError(400, 'BadRequest', `container ${name} is not valid for pod ${pod.metadata.name}`);
  return found;
}

/** Quotes a command word the way a shell would need it, so the logged command line reads unambiguously. */
const shellWord = (word: string) => (/^[-\w./:=@%+,]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

function outputLines(pod: Pod, container: Container): string[] {
  const isJob = (pod.metadata.ownerReferences ?? []).some((ref) => ref.kind === 'Job');
  const words = [...(container.command ?? []), ...(container.args ?? [])];
  const lines = [`simulator: container "${container.name}" started from image "${container.image}"`];
  lines.push(words.length ? `simulator: running: ${words.map(shellWord).join(' ')}` : 'simulator: running the image\'s default entrypoint');
  if (!isJob) return [...lines, `simulator: container "${container.name}" is ready`];
  // `echo` is common enough in job examples to be worth answering for real.
  if (words[0] === 'echo' || words[0]?.endsWith('/echo')) lines.push(words.slice(1).join(' '));
  const terminated = pod.status?.containerStatuses?.find((s) => s.name === container.name)?.state.terminated;
  if (!terminated) return lines;
  if (pod.status?.reason === 'DeadlineExceeded') {
    lines.push(`simulator: container "${container.name}" killed: the job was active longer than its activeDeadlineSeconds`);
  } else if (container.image.includes(FAILING_CHECK_MARKER)) {
    lines.push(`check failed: image "${container.image}" is marked ${FAILING_CHECK_MARKER}, so the simulator fails it`);
  }
  lines.push(`simulator: container "${container.name}" exited with code ${terminated.exitCode}`);
  return lines;
}
