/**
 * A usage or configuration error found after parsing, or a command refused
 * as asked: exit 1 with the message (one line, or a short paragraph saying
 * what to do instead), never a stack trace.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
}
