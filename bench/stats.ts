export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (samples: number[]) => percentile(samples, 50);
export const ms = (value: number) => `${value.toFixed(1)} ms`;

export interface Summary {
  p50: number;
  p99: number;
  n: number;
}

export const summarize = (samples: number[]): Summary => ({ p50: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length });
