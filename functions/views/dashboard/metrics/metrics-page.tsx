import { WINDOWS, type DoraMetrics } from '../../../domain/dora';
import type { DailyPoint, EnvironmentMetrics, Window } from '../../../usecases/metrics';
import { METRICS_CHARTS_SRC } from '../assets/charts';
import { shown } from '../format';
import { Layout } from '../layout';
import { MetricsCharts } from './metrics-charts';
import { MetricsFigures, percent, seconds } from './metrics-figures';

interface Common {
  days: Window;
  identity: string;
  csrfToken: string;
}

const href = (days: number, target?: { app: string; env: string }) => `/metrics?${target ? `app=${target.app}&env=${target.env}&` : ''}days=${days}`;

/** Links to the other windows; the chosen one is marked as the current page (in words for screen readers, too). */
function WindowLinks({ days, target }: { days: Window; target?: { app: string; env: string } }) {
  return (
    <nav aria-label="Window">
      {WINDOWS.map((n) => (
        <a href={href(n, target)} aria-current={n === days ? 'page' : undefined}>
          {n} days
        </a>
      ))}
    </nav>
  );
}

/** `GET /metrics?app=&env=&days=`: one environment's DORA figures for 7, 30 and 90 days, and charts (with their table) over the chosen window. */
export function EnvironmentMetricsPage({ app, env, windows, points, days, identity, csrfToken }: Common & { app: string; env: string; windows: DoraMetrics[]; points: DailyPoint[] }) {
  return (
    <Layout title={`Metrics: ${app} / ${env}`} identity={identity} csrfToken={csrfToken} section="metrics" scripts={[METRICS_CHARTS_SRC]}>
      <p>
        <a href={`/metrics?days=${days}`}>All environments</a> · <a href={`/apps/${app}/envs/${env}`}>The environment</a>
      </p>
      <MetricsFigures windows={windows} caption="DORA figures (UTC days, today included)" />
      <h2>Over the last {days} days</h2>
      <WindowLinks days={days} target={{ app, env }} />
      <MetricsCharts points={points} />
    </Layout>
  );
}

/** `GET /metrics`: every environment the signed-in identity may view, with its figures over the chosen window. */
export function MetricsOverviewPage({ rows, days, identity, csrfToken }: Common & { rows: EnvironmentMetrics[] }) {
  return (
    <Layout title="Metrics" identity={identity} csrfToken={csrfToken} section="metrics">
      <WindowLinks days={days} />
      {rows.length === 0 ? (
        <p class="muted">You may not view any environment yet.</p>
      ) : (
        <table class="grid">
          <caption>DORA figures over the last {days} UTC days; choose an environment for charts</caption>
          <thead>
            <tr>
              <th scope="col">Environment</th>
              <th scope="col">Deployments per day</th>
              <th scope="col">Change failure rate</th>
              <th scope="col">Lead time (median)</th>
              <th scope="col">Time to restore (median)</th>
              <th scope="col">Deployments</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ metrics: m }) => (
              <tr>
                <th scope="row">
                  <a href={href(days, { app: m.app, env: m.environment })}>
                    {shown(m.app)} / {shown(m.environment)}
                  </a>
                </th>
                <td>{m.deploymentFrequencyPerDay}</td>
                <td>{percent(m.changeFailureRate)}</td>
                <td>{seconds(m.leadTimeSeconds.median)}</td>
                <td>{seconds(m.timeToRestoreSeconds.median)}</td>
                <td>{m.deployments}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
