import type { DailyPoint } from '../../../usecases/metrics';
import { percent, seconds } from './metrics-figures';

interface ChartSpec {
  id: string;
  title: string;
  label: string;
  unit: string;
  kind: 'bars' | 'line';
  /** Smallest top of the y axis, so a flat line of zeros is still drawn on a scale. */
  minMax: number;
  value: (p: DailyPoint) => number | null;
}

const hours = (s: number | null) => (s === null ? null : Math.round((s / 3600) * 100) / 100);

const CHARTS: ChartSpec[] = [
  { id: 'frequency', title: 'Deployment frequency', label: 'successful deployments', unit: 'per day', kind: 'bars', minMax: 1, value: (p) => p.successes },
  { id: 'lead-time', title: 'Lead time for changes (median of the day)', label: 'lead time', unit: 'hours', kind: 'line', minMax: 1, value: (p) => hours(p.leadTimeSeconds) },
  { id: 'failure-rate', title: 'Change failure rate', label: 'change failure rate', unit: '%', kind: 'line', minMax: 100, value: (p) => (p.changeFailureRate === null ? null : Math.round(p.changeFailureRate * 1000) / 10) },
  { id: 'restore', title: 'Time to restore (median of the day)', label: 'time to restore', unit: 'hours', kind: 'line', minMax: 1, value: (p) => hours(p.timeToRestoreSeconds) },
];

const epochSeconds = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;

/**
 * Four charts over the window, one point per UTC day, drawn by uPlot from the
 * figure's `data-chart` JSON (metrics-charts.js). The canvas is decoration
 * for screen readers (`aria-hidden`): the per-day table below holds the same
 * numbers, and is what shows without script.
 */
export function MetricsCharts({ points }: { points: DailyPoint[] }) {
  const x = points.map((p) => epochSeconds(p.day));
  return (
    <>
      <div class="charts">
        {CHARTS.map((chart) => (
          <figure class="chart" id={`chart-${chart.id}`} data-chart={JSON.stringify({ title: chart.title, label: chart.label, unit: chart.unit, kind: chart.kind, minMax: chart.minMax, x, y: points.map(chart.value) })}>
            <figcaption>
              {chart.title} ({chart.unit})
            </figcaption>
            <div class="chart-canvas" aria-hidden="true"></div>
          </figure>
        ))}
      </div>
      <table class="grid">
        <caption>Per UTC day (the charts' numbers)</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Deployments</th>
            <th scope="col">Successful</th>
            <th scope="col">Failed or rolled back</th>
            <th scope="col">Change failure rate</th>
            <th scope="col">Lead time (median)</th>
            <th scope="col">Time to restore (median)</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr>
              <th scope="row">{p.day}</th>
              <td>{p.deployments}</td>
              <td>{p.successes}</td>
              <td>{p.failures}</td>
              <td>{percent(p.changeFailureRate)}</td>
              <td>{seconds(p.leadTimeSeconds)}</td>
              <td>{seconds(p.timeToRestoreSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
