import type { CheckResult } from '../../domain/checks';
import { Time } from './bits';
import { idFor, shown } from './format';

/** A stage's checks: a table with headers, and each job's log tail (or the evaluations) under a disclosure. */
export function CheckList({ checks, environment }: { checks: CheckResult[] | undefined; environment: string }) {
  if (!checks || checks.length === 0) return <p class="muted">No checks have run here.</p>;
  return (
    <>
      <table class="grid">
        <caption class="vh">Checks of {environment}</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Phase</th>
            <th scope="col">Result</th>
            <th scope="col">Summary</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {checks.map((check) => (
            <tr>
              <td>
                {shown(check.name)} ({check.kind})
              </td>
              <td>{check.phase === 'pre' ? 'pre-deployment' : 'post-deployment'}</td>
              <td>
                <span class={`badge tone-${check.passed ? 'ok' : 'bad'}`}>{check.passed ? '✓ passed' : '✗ failed'}</span>
              </td>
              <td>{shown(check.summary)}</td>
              <td>
                <Time at={check.finishedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {checks.map((check) =>
        check.logTail ? (
          <details id={idFor('log', environment, check.name)}>
            <summary>Log tail of {shown(check.name)}</summary>
            <pre>{shown(check.logTail)}</pre>
          </details>
        ) : check.observations && check.observations.length > 0 ? (
          <details id={idFor('obs', environment, check.name)}>
            <summary>Evaluations of {shown(check.name)}</summary>
            <pre>{check.observations.map((o) => shown(o)).join('\n')}</pre>
          </details>
        ) : (
          ''
        ),
      )}
    </>
  );
}
