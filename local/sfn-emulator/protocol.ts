import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CONTROL_PREFIX, handleControl } from './control';
import { SfnServiceError } from './errors';
import { faultError, type FaultSwitch } from './faults';
import type { Operation, OperationInput } from './operations';

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Inputs/outputs are limited to 256 KiB by the service; leave room for the JSON envelope. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * AWS JSON 1.0 over HTTP: `POST /`, `X-Amz-Target: AWSStepFunctions.<Operation>`, JSON body in and out.
 * Errors are `{"__type": "<namespace>#<Code>", "message": "..."}`. SigV4 signatures are not verified.
 * Paths under /_emulator/ are the emulator's control endpoint (see control.ts).
 */
export function createProtocolServer(operations: Record<string, Operation>, faults: FaultSwitch, log: (line: string) => void): Server {
  return createServer((request, response) => {
    handle(request, response, operations, faults, log).catch((error: unknown) => log(`[sfn] could not answer a request: ${String(error)}`));
  });
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  operations: Record<string, Operation>,
  faults: FaultSwitch,
  log: (line: string) => void,
): Promise<void> {
  try {
    if (request.url?.startsWith(CONTROL_PREFIX)) return handleControl(request, await readBody(request), response, faults);
    const { name, operation } = resolveOperation(request, operations);
    const body = await readBody(request);
    const fault = faults.take(name);
    if (fault === 'connection-reset') {
      log(`[sfn] fault switch: resetting the connection of a ${name} call`);
      request.socket.destroy();
      return;
    }
    if (fault) throw faultError(fault);
    send(response, 200, await operation(parseInput(body)));
  } catch (error) {
    if (error instanceof SfnServiceError) {
      send(response, error.statusCode, error.toBody());
      return;
    }
    log(`[sfn] internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    send(response, 500, new SfnServiceError('InternalFailure', 'Internal error in the local Step Functions emulator', 500).toBody());
  }
}

function resolveOperation(request: IncomingMessage, operations: Record<string, Operation>): { name: string; operation: Operation } {
  const target = request.headers['x-amz-target'];
  const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  const operation = request.method === 'POST' && name !== undefined && Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (!operation || name === undefined) {
    throw new SfnServiceError('UnknownOperationException', `Unknown operation: ${request.method ?? '?'} ${String(target ?? '(no X-Amz-Target)')}`);
  }
  return { name, operation };
}

function parseInput(body: string): OperationInput {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SfnServiceError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SfnServiceError('SerializationException', 'The request body must be a JSON object');
  }
  return parsed as OperationInput;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new SfnServiceError('ValidationException', 'Request body too large', 413));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, statusCode: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}
