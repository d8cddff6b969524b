import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './status';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

async function readText(req: IncomingMessage): Promise<string> {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType.startsWith('application/vnd.kubernetes.protobuf') || mediaType === 'application/cbor') {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${mediaType})`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'RequestEntityTooLarge', 'request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}

/** The JSON body, or undefined when there is none (a DELETE may or may not carry DeleteOptions). */
export async function readOptionalJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}
