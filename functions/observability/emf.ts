import type { FinishedDeployment } from '../domain/dora';

/**
 * CloudWatch Embedded Metric Format: a log line that CloudWatch Logs turns
 * into metrics, so a Lambda publishes metrics by printing, without a
 * PutMetricData call (no extra latency, permission or failure mode).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * Pure: it formats one record; the caller writes it (one line) to stdout.
 * It validates what CloudWatch would otherwise drop silently.
 */

export type EmfUnit = 'Count' | 'Seconds' | 'Percent' | 'None';

export interface EmfMetric {
  name: string;
  value: number;
  unit: EmfUnit;
}

export interface EmfInput {
  namespace: string;
  /** Every metric of the record is published with all of these dimensions (one dimension set). */
  dimensions: Record<string, string>;
  metrics: EmfMetric[];
  timestamp: Date;
  /** Extra searchable fields for Logs Insights; not metrics, not dimensions. */
  properties?: Record<string, unknown>;
}

/** CloudWatch's limits: 30 dimensions per metric, 100 metrics per directive, 255-character names, 1024-character dimension values. */
export const EMF_LIMITS = { dimensions: 30, metrics: 100, nameLength: 255, dimensionValueLength: 1024 } as const;

const UNITS: ReadonlySet<string> = new Set<EmfUnit>(['Count', 'Seconds', 'Percent', 'None']);
/** Printable ASCII only: CloudWatch rejects anything else in dimension names and values. */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const RESERVED_KEY = '_aws';

export class EmfValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmfValidationError';
  }
}

function checkName(kind: string, name: string): void {
  if (typeof name !== 'string' || name.trim() === '') throw new EmfValidationError(`${kind} name must not be empty`);
  if (name.length > EMF_LIMITS.nameLength) throw new EmfValidationError(`${kind} name ${JSON.stringify(name)} is longer than ${EMF_LIMITS.nameLength} characters`);
  if (name === RESERVED_KEY) throw new EmfValidationError(`${kind} name must not be ${RESERVED_KEY}`);
}

function checkDimension(name: string, value: string): void {
  checkName('dimension', name);
  if (!PRINTABLE_ASCII.test(name) || name.startsWith(':')) {
    throw new EmfValidationError(`dimension name ${JSON.stringify(name)} must be printable ASCII and not start with ':'`);
  }
  if (typeof value !== 'string' || value.trim() === '' || !PRINTABLE_ASCII.test(value) || value.length > EMF_LIMITS.dimensionValueLength) {
    throw new EmfValidationError(
      `dimension ${name} needs a printable ASCII value of 1 to ${EMF_LIMITS.dimensionValueLength} characters, got ${JSON.stringify(value)}`,
    );
  }
}

/**
 * One EMF record as a single line of JSON: the `_aws` metadata with one
 * metric directive, then the dimension values, metric values and properties
 * as top-level members (where the directive's references point).
 */
export function emfRecord(input: EmfInput): string {
  checkName('namespace', input.namespace);
  const timestamp = input.timestamp.getTime();
  if (!Number.isFinite(timestamp)) throw new EmfValidationError('timestamp must be a valid date');

  const dimensionNames = Object.keys(input.dimensions);
  if (dimensionNames.length > EMF_LIMITS.dimensions) {
    throw new EmfValidationError(`at most ${EMF_LIMITS.dimensions} dimensions, got ${dimensionNames.length}`);
  }
  for (const name of dimensionNames) checkDimension(name, input.dimensions[name] as string);

  if (input.metrics.length === 0) throw new EmfValidationError('at least one metric is needed');
  if (input.metrics.length > EMF_LIMITS.metrics) throw new EmfValidationError(`at most ${EMF_LIMITS.metrics} metrics, got ${input.metrics.length}`);

  // Dimension values, metric values and properties share the root object, so a name may appear only once.
  const taken = new Set<string>(dimensionNames);
  const values: Record<string, number> = {};
  for (const metric of input.metrics) {
    checkName('metric', metric.name);
    if (taken.has(metric.name)) throw new EmfValidationError(`metric name ${JSON.stringify(metric.name)} is used twice or clashes with a dimension`);
    if (typeof metric.value !== 'number' || !Number.isFinite(metric.value)) {
      throw new EmfValidationError(`metric ${metric.name} must have a finite value, got ${String(metric.value)}`);
    }
    if (!UNITS.has(metric.unit)) throw new EmfValidationError(`metric ${metric.name} has unknown unit ${JSON.stringify(metric.unit)}`);
    taken.add(metric.name);
    values[metric.name] = metric.value;
  }

  const properties = input.properties ?? {};
  for (const key of Object.keys(properties)) {
    if (key === RESERVED_KEY || taken.has(key)) throw new EmfValidationError(`property ${JSON.stringify(key)} clashes with a dimension, metric or ${RESERVED_KEY}`);
  }

  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: input.namespace,
          Dimensions: [dimensionNames],
          Metrics: input.metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...properties,
    ...input.dimensions,
    ...values,
  });
}

export const GATEKEEPER_NAMESPACE = 'Gatekeeper';

/**
 * The metrics one finished deployment publishes, per app and environment, so
 * CloudWatch can graph and alarm on DORA signals live. The dashboards' numbers
 * may differ slightly from the API's (CloudWatch aggregates by its own periods);
 * the API's day buckets are the source of truth. Lead and restore times come
 * from the same bucket increment the store applies, when there is one.
 */
export function deploymentFinishedMetrics(deployment: FinishedDeployment, leadTimeSeconds?: number, restoreSeconds?: number): EmfInput {
  const metrics: EmfMetric[] = [
    { name: 'Deployments', value: 1, unit: 'Count' },
    { name: 'DeploymentFailures', value: deployment.result === 'succeeded' ? 0 : 1, unit: 'Count' },
  ];
  if (leadTimeSeconds !== undefined) metrics.push({ name: 'LeadTime', value: leadTimeSeconds, unit: 'Seconds' });
  if (restoreSeconds !== undefined) metrics.push({ name: 'TimeToRestore', value: restoreSeconds, unit: 'Seconds' });
  return {
    namespace: GATEKEEPER_NAMESPACE,
    dimensions: { App: deployment.app, Environment: deployment.environment },
    metrics,
    // The metric lands at the moment the deployment finished, not when the log line was written.
    timestamp: new Date(deployment.finishedAt),
    properties: { ReleaseId: deployment.releaseId },
  };
}
