import { canonicalize, type ChainedAuditEvent, type ChainHead } from './audit-chain';

/**
 * Exports of an app's audit chain for auditors: JSON Lines (machine-verifiable,
 * `npm run audit:verify`) and CSV (for people), each with the chain's head.
 */

/** The last line of a JSON Lines export: the chain's head when it was exported. */
export interface ExportHeadLine {
  type: 'head';
  app: string;
  seq: number;
  hash: string;
  exportedAt: string;
}

/**
 * JSON Lines: one event per line in the order given (seq order), then the
 * head line. Event fields are written in a readable order; key order does not
 * matter to the hash, which is recomputed from the canonical form.
 */
export function toJsonLines(app: string, events: ChainedAuditEvent[], head: ChainHead, exportedAt: string): string {
  const lines = events.map(({ seq, at, app: eventApp, actor, action, subject, id, detail, prevHash, hash, ...extra }) =>
    // Fields the type does not name are kept: they are covered by the hash, so dropping them would break verification.
    JSON.stringify({ seq, at, app: eventApp, actor, action, subject, id, detail, ...extra, prevHash, hash }),
  );
  const headLine: ExportHeadLine = { type: 'head', app, seq: head.seq, hash: head.hash, exportedAt };
  return `${[...lines, JSON.stringify(headLine)].join('\n')}\n`;
}

const CSV_COLUMNS = ['seq', 'at', 'app', 'actor', 'action', 'subject', 'detail', 'prevHash', 'hash'] as const;

/** RFC 4180: quote a field that holds a quote, comma or line break; double its quotes. */
const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/**
 * CSV for people and spreadsheets (RFC 4180, CRLF line ends): a header row,
 * one row per event with `detail` as canonical JSON (empty when absent), then
 * a final row `# head,<seq>,<hash>` carrying the chain's head. Spreadsheets
 * read that last row as three ordinary cells; programs should drop rows whose
 * first cell starts with `#`. The CSV has no `id` column, so it cannot be
 * re-verified: the JSON Lines export is the verifiable one.
 */
export function toCsv(events: ChainedAuditEvent[], head: ChainHead): string {
  const rows = events.map((event) => {
    const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
      seq: String(event.seq),
      at: event.at,
      app: event.app,
      actor: event.actor,
      action: event.action,
      subject: event.subject,
      detail: event.detail === undefined ? '' : canonicalize(event.detail),
      prevHash: event.prevHash,
      hash: event.hash,
    };
    return CSV_COLUMNS.map((column) => csvField(cells[column])).join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows, `# head,${head.seq},${head.hash}`].join('\r\n')}\r\n`;
}

/** A JSON Lines export that cannot be read; `line` is 1-based. */
export class MalformedExportError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'MalformedExportError';
  }
}

/**
 * Reads a JSON Lines export. Only what verification needs is checked here
 * (seq, prevHash, hash, the head line's place and shape); any other field's
 * content is left to the hash, so a tampered value is reported as a chain
 * break rather than as a malformed file. Blank lines are ignored.
 */
export function parseJsonLines(text: string): { events: ChainedAuditEvent[]; head?: ChainHead & { app: string } } {
  const events: ChainedAuditEvent[] = [];
  let head: (ChainHead & { app: string }) | undefined;
  for (const [index, raw] of text.replace(/^\uFEFF/, '').split('\n').entries()) {
    const line = index + 1;
    if (raw.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch (error) {
      throw new MalformedExportError(line, `not valid JSON (${(error as Error).message})`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new MalformedExportError(line, 'expected a JSON object');
    if (head) throw new MalformedExportError(line, 'content after the head line; the head must be the last line');
    const fields = record as Record<string, unknown>;
    if (fields.type === 'head') head = readHeadLine(fields, line);
    else events.push(readEvent(fields, line));
  }
  return head ? { events, head } : { events };
}

function readHeadLine(fields: Record<string, unknown>, line: number): ChainHead & { app: string } {
  const { app, seq, hash } = fields;
  if (typeof app !== 'string') throw new MalformedExportError(line, 'the head line has no app');
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw new MalformedExportError(line, 'the head line has no valid seq (an integer ≥ 0)');
  if (typeof hash !== 'string') throw new MalformedExportError(line, 'the head line has no hash');
  return { app, seq: seq as number, hash };
}

function readEvent(fields: Record<string, unknown>, line: number): ChainedAuditEvent {
  if (!Number.isSafeInteger(fields.seq) || (fields.seq as number) < 1) throw new MalformedExportError(line, 'not an audit event: seq must be an integer ≥ 1');
  if (typeof fields.prevHash !== 'string') throw new MalformedExportError(line, 'not an audit event: prevHash must be a string');
  if (typeof fields.hash !== 'string') throw new MalformedExportError(line, 'not an audit event: hash must be a string');
  // The remaining fields are vouched for by the hash check, not by their shape.
  return fields as unknown as ChainedAuditEvent;
}
