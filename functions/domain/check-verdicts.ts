import type { Comparison, HttpCheck, JobCheck, PrometheusCheck } from './checks';
import { jsonPathValue } from './json-path';
import { visible } from './text';

/** Evaluation: pure verdicts the adapters build their CheckResults from (see checks.ts for the types). */

export interface Verdict {
  passed: boolean;
  summary: string;
}

/** Whether `value` satisfies the threshold. NaN never does (not even `!=`): a check must not pass on no number. */
export function compare(value: number, threshold: { op: Comparison; value: number }): boolean {
  if (Number.isNaN(value)) return false;
  const limit = threshold.value;
  switch (threshold.op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/** A number as Prometheus writes it (`+Inf`, `NaN`), so that it survives JSON as an observation. */
export const formatValue = (value: number): string | number =>
  Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';

/** One evaluation of a Prometheus check: the query's single value, or why there was none. */
export type PrometheusEvaluation = { value: number } | { error: string };

/**
 * The verdict on a Prometheus check's evaluations, in order: it passes when
 * all `count` pass, and the runner stops at the first failing one, so only
 * the last evaluation can be a failure.
 */
export function prometheusVerdict(check: PrometheusCheck, evaluations: PrometheusEvaluation[]): Verdict {
  const needs = `${check.threshold.op} ${check.threshold.value}`;
  const at = (i: number) => `at evaluation ${i + 1} of ${check.count}`;
  const failed = evaluations.findIndex((e) => 'error' in e || !compare(e.value, check.threshold));
  const evaluation = evaluations[failed];
  if (evaluation !== undefined) {
    if ('error' in evaluation) return { passed: false, summary: `${check.name} could not be evaluated ${at(failed)}: ${evaluation.error}` };
    return { passed: false, summary: `${check.name} was ${formatValue(evaluation.value)} (needs ${needs}) ${at(failed)}` };
  }
  if (evaluations.length < check.count) return { passed: false, summary: `${check.name} was evaluated ${evaluations.length} of ${check.count} times` };
  const values = evaluations.map((e) => formatValue((e as { value: number }).value)).join(', ');
  return { passed: true, summary: `${check.name} was ${needs} at all ${check.count} evaluations (${values})` };
}

export const prometheusObservations = (evaluations: PrometheusEvaluation[]): Array<string | number> =>
  evaluations.map((e) => ('error' in e ? e.error : formatValue(e.value)));

/** One HTTP attempt: its verdict, what to record of it, and (failed) why, for the summary. */
export interface HttpAttempt {
  passed: boolean;
  observation: string | number;
  problem?: string;
}

/** Judges one answer: the expected status and, when the check has one, the JSONPath condition on the body. */
export function judgeHttpAnswer(check: HttpCheck, status: number, body: string | undefined): HttpAttempt {
  if (status !== check.expectStatus) return { passed: false, observation: status, problem: `answered ${status} (expected ${check.expectStatus})` };
  if (!check.jsonPath) return { passed: true, observation: status };
  const { path, equals } = check.jsonPath;
  let document: unknown;
  try {
    document = JSON.parse(body ?? '');
  } catch {
    return { passed: false, observation: `${status}, body not JSON`, problem: `answered ${status} but the body is not JSON` };
  }
  const found = jsonPathValue(document, path);
  if (!found.found) return { passed: false, observation: `${status}, ${path} missing`, problem: `answered ${status} but the body has no ${path}` };
  const shown = short(JSON.stringify(found.value) ?? String(found.value));
  if (found.value !== equals) return { passed: false, observation: `${status}, ${path}=${shown}`, problem: `answered ${status} but ${path} was ${shown} (expected ${JSON.stringify(equals)})` };
  return { passed: true, observation: status };
}

/** An attempt that got no answer (refused, timed out, TLS…): `reason` must not carry header values. */
export const httpNoAnswer = (reason: string): HttpAttempt => ({ passed: false, observation: reason, problem: `got no answer (${reason})` });

export function httpVerdict(check: HttpCheck, attempts: HttpAttempt[], seconds: number): Verdict {
  const request = `${check.method} ${check.url}`;
  const last = attempts[attempts.length - 1];
  const tries = `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}`;
  if (last?.passed) {
    const condition = check.jsonPath ? ` with ${check.jsonPath.path} = ${JSON.stringify(check.jsonPath.equals)}` : '';
    return { passed: true, summary: `${check.name}: ${request} answered ${check.expectStatus}${condition} after ${tries} in ${seconds} s` };
  }
  return { passed: false, summary: `${check.name}: ${request} did not pass within ${check.windowSeconds} s (${tries}); the last ${last?.problem ?? 'was not made'}` };
}

/** How a check's Job ended, as the job adapter saw it. */
export type JobOutcome = { status: 'succeeded' } | { status: 'failed'; reason: string } | { status: 'timed-out' };

export function jobVerdict(check: JobCheck, outcome: JobOutcome, seconds: number): Verdict {
  if (outcome.status === 'succeeded') return { passed: true, summary: `job ${check.name} succeeded in ${seconds} s` };
  if (outcome.status === 'timed-out') return { passed: false, summary: `job ${check.name} timed out after ${check.timeoutSeconds} s` };
  return { passed: false, summary: `job ${check.name} failed after ${seconds} s (${outcome.reason})` };
}

const short = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max)}…` : text);

// ---------------------------------------------------------------------------
// Logs

/**
 * The end of a job's log, as kept in its CheckResult (stored and emailed, so
 * small): the last `maxLines` lines, then at most the last `maxBytes` bytes of
 * UTF-8, starting at a line (or, for one long line, a character) boundary.
 * Control characters (ANSI colours…) are made visible rather than kept.
 */
export function logTail(text: string, maxLines = 40, maxBytes = 4096): string {
  const lines = text.replace(/\n$/, '').split('\n');
  // Made visible before cutting, so the markers count toward maxBytes.
  const tail = visible(lines.slice(-maxLines).join('\n'));
  const bytes = new TextEncoder().encode(tail);
  if (bytes.length <= maxBytes) return tail;
  let start = bytes.length - maxBytes;
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1; // not inside a character
  const cut = new TextDecoder().decode(bytes.subarray(start));
  const newline = cut.indexOf('\n');
  return newline >= 0 && newline < cut.length - 1 ? cut.slice(newline + 1) : cut;
}
