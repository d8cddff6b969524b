import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import type { FaultSwitch } from './faults';

export const CONTROL_PREFIX = '/_emulator/';

/**
 * The emulator's own control endpoint (not part of the Step Functions API), plain JSON:
 * `GET|PUT|DELETE /_emulator/faults` reads, arms (body: a FaultSpec) or clears the fault switch.
 * Answers `{"armed": {...} | null}` or `{"message": "..."}` with 400/404/405.
 */
export function handleControl(request: IncomingMessage, body: string, response: ServerResponse, faults: FaultSwitch): void {
  const path = (request.url ?? '').split('?')[0];
  if (path !== `${CONTROL_PREFIX}faults`) return reply(response, 404, { message: `Unknown control path ${path ?? ''} (known: ${CONTROL_PREFIX}faults)` });
  switch (request.method) {
    case 'GET':
      return reply(response, 200, { armed: faults.status() });
    case 'DELETE':
      faults.clear();
      return reply(response, 200, { armed: null });
    case 'PUT':
      try {
        return reply(response, 200, { armed: faults.arm(JSON.parse(body)) });
      } catch (error) {
        const message = error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error);
        return reply(response, 400, { message });
      }
    default:
      response.setHeader('allow', 'GET, PUT, DELETE');
      return reply(response, 405, { message: `${request.method ?? '?'} is not allowed on ${path}` });
  }
}

function reply(response: ServerResponse, statusCode: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
