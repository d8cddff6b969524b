import type { DoraMetrics } from '../../../domain/dora';
import { duration } from '../format';

/** Seconds as "3 h", or "—" when there were no samples. */
export const seconds = (value: number | null): string => (value === null ? '—' : duration(value));
/** A rate (0–1) as "12.5 %", or "—" without deployments. */
export const percent = (value: number | null): string => (value === null ? '—' : `${Math.round(value * 1000) / 10} %`);

const ROWS: Array<[label: string, show: (m: DoraMetrics) => string]> = [
  ['Deployment frequency (successful per day)', (m) => String(m.deploymentFrequencyPerDay)],
  ['Change failure rate', (m) => percent(m.changeFailureRate)],
  ['Lead time for changes (median)', (m) => seconds(m.leadTimeSeconds.median)],
  ['Lead time for changes (90th percentile)', (m) => seconds(m.leadTimeSeconds.p90)],
  ['Time to restore (median)', (m) => seconds(m.timeToRestoreSeconds.median)],
  ['Deployments', (m) => String(m.deployments)],
  ['Successful', (m) => String(m.successes)],
  ['Failed or rolled back', (m) => String(m.failures)],
];

/** The DORA figures of several windows side by side: one row per figure, one column per window. */
export function MetricsFigures({ windows, caption }: { windows: DoraMetrics[]; caption: string }) {
  return (
    <table class="grid">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Figure</th>
          {windows.map((m) => (
            <th scope="col">
              {m.days} days ({m.from} to {m.to})
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {ROWS.map(([label, show]) => (
          <tr>
            <th scope="row">{label}</th>
            {windows.map((m) => (
              <td>{show(m)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
