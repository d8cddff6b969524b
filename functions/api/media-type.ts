import { UnsupportedMediaTypeError } from '../domain/errors';
import { visible } from '../domain/text';

/**
 * Refuses a body unless its Content-Type is exactly `essence` (RFC 9110
 * media type, case-insensitive) in UTF-8: no charset parameter, or
 * `charset=utf-8`. `application/json-patch+json`, `application/jsonx` or
 * `application/json; charset=utf-16` are other formats, not JSON we read.
 */
export function requireMediaType(header: string | undefined, essence: string, how: string): void {
  const [type = '', ...parameters] = (header ?? '').split(';');
  const charset = parameters
    .map((p) => p.trim().split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  if (type.trim().toLowerCase() !== essence || (charset !== undefined && charset !== 'utf-8')) {
    const given = header ? `"${visible(header.slice(0, 100))}"` : 'none';
    throw new UnsupportedMediaTypeError(`send the body as ${how} ("Content-Type: ${essence}", UTF-8); the Content-Type was ${given}`);
  }
}

/** The body's bytes as text: UTF-8 without a byte order mark, or a 400 (the caller maps it) — never U+FFFD in place of what was sent. */
export function decodeUtf8(bytes: ArrayBuffer): { text: string } | { problem: string } {
  const view = new Uint8Array(bytes);
  if (view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) return { problem: 'the body starts with a byte order mark; send UTF-8 without one' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(view) };
  } catch {
    return { problem: 'the body is not valid UTF-8' };
  }
}
