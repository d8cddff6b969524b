import { REQUEST_TIMEOUT_SECONDS } from '../../domain/check-definitions';
import { compare, type PrometheusEvaluation, prometheusObservations, prometheusVerdict } from '../../domain/check-verdicts';
import type { CheckContext, CheckResult, PrometheusCheck } from '../../domain/checks';
import { noAnswer } from '../kubernetes/api-errors';
import { defaultSleep } from './kube';

export interface PrometheusCheckOptions {
  fetch?: typeof fetch;
  /** Between evaluations; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
  /** Per query. Default REQUEST_TIMEOUT_SECONDS, which the policy's duration bound counts on. */
  queryTimeoutMs?: number;
}

/** The instant-query answer, as far as a check reads it (https://prometheus.io/docs/prometheus/latest/querying/api/). */
interface QueryAnswer {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: unknown };
}

/**
 * Runs a Prometheus check: the instant query `count` times, `intervalSeconds`
 * apart, stopping at the first evaluation that fails. A server that does not
 * answer or refuses the query makes a failed evaluation, never an error: the
 * check has no evidence, so it does not pass.
 */
export class PrometheusCheckRunner {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => Date;
  private readonly queryTimeoutMs: number;

  constructor(options: PrometheusCheckOptions = {}) {
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? defaultSleep;
    this.clock = options.clock ?? (() => new Date());
    this.queryTimeoutMs = options.queryTimeoutMs ?? REQUEST_TIMEOUT_SECONDS * 1000;
  }

  async run(check: PrometheusCheck, _context: CheckContext): Promise<CheckResult> {
    const started = this.clock();
    const evaluations: PrometheusEvaluation[] = [];
    for (let i = 0; i < check.count; i += 1) {
      if (i > 0) await this.sleep(check.intervalSeconds * 1000);
      const evaluation = await this.evaluate(check);
      evaluations.push(evaluation);
      if ('error' in evaluation || !compare(evaluation.value, check.threshold)) break;
    }
    const verdict = prometheusVerdict(check, evaluations);
    return {
      name: check.name,
      kind: 'prometheus',
      phase: check.phase,
      passed: verdict.passed,
      startedAt: started.toISOString(),
      finishedAt: this.clock().toISOString(),
      summary: verdict.summary,
      observations: prometheusObservations(evaluations),
    };
  }

  private async evaluate(check: PrometheusCheck): Promise<PrometheusEvaluation> {
    const url = `${check.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(check.query)}`;
    let status: number;
    let answer: QueryAnswer | undefined;
    try {
      const response = await this.fetch(url, { signal: AbortSignal.timeout(this.queryTimeoutMs), headers: { accept: 'application/json' } });
      status = response.status;
      answer = (await response.json().catch(() => undefined)) as QueryAnswer | undefined;
    } catch (error) {
      return { error: `Prometheus did not answer (${noAnswer(error, this.queryTimeoutMs)?.reason ?? (error instanceof Error ? error.message : String(error))})` };
    }
    if (answer?.status === 'error') return { error: `Prometheus refused the query (${answer.errorType ?? 'error'}: ${String(answer.error).slice(0, 200)})` };
    if (status !== 200 || answer?.status !== 'success' || !answer.data) return { error: `Prometheus answered HTTP ${status} without a query result` };
    return sampleOf(answer.data);
  }
}

/** The one value of a scalar, or of a vector with exactly one sample. */
function sampleOf(data: NonNullable<QueryAnswer['data']>): PrometheusEvaluation {
  const { resultType, result } = data;
  if (resultType === 'scalar') return valueOf(result);
  if (resultType !== 'vector') return { error: `the query returned a ${String(resultType)}; it must return a scalar or a vector of one series` };
  if (!Array.isArray(result)) return { error: 'the answer has no result list' };
  if (result.length === 0) return { error: 'no data (the query returned no series)' };
  if (result.length > 1) return { error: `the query returned ${result.length} series; it must return one` };
  return valueOf((result[0] as { value?: unknown } | undefined)?.value);
}

/** `[timestamp, "0.25"]` → 0.25; Prometheus writes infinities as `+Inf`/`-Inf`. */
function valueOf(sample: unknown): PrometheusEvaluation {
  const text = Array.isArray(sample) ? sample[1] : undefined;
  if (typeof text !== 'string') return { error: 'the answer has no sample value' };
  const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
  return { value };
}
