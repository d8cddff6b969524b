import type { ApprovalRequest } from '../../domain/approval';
import { driftWarning } from '../approval-summary';
import type { EnvironmentOverview, Overview } from '../../usecases/overview';
import { ImageRef, Time, Warning } from './bits';
import { ageOf, shortDigest, shown } from './format';
import { Layout } from './layout';
import { StatusBadge } from './status-badge';

export interface OverviewPageProps {
  overview: Overview;
  identity: string;
  csrfToken: string;
  now: Date;
}

/** `GET /`: what runs where in every app the identity may view, what is in flight, and what waits for them. */
export function OverviewPage({ overview, identity, csrfToken, now }: OverviewPageProps) {
  return (
    <Layout title="Overview" identity={identity} csrfToken={csrfToken} section="overview">
      <section aria-labelledby="waiting-h">
        <h2 id="waiting-h">Waiting for me</h2>
        <WaitingForMe waiting={overview.waiting} now={now} />
      </section>
      {overview.apps.length === 0 ? <p>You have no role on any app yet; ask an admin for a grant.</p> : ''}
      {overview.apps.map((app) => (
        <section aria-labelledby={`app-${app.name}`}>
          <h2 id={`app-${app.name}`}>{shown(app.name)}</h2>
          <table class="grid">
            <caption class="vh">What runs in each environment of {shown(app.name)}</caption>
            <thead>
              <tr>
                <th scope="col">Environment</th>
                <th scope="col">Running</th>
                <th scope="col">Commit</th>
                <th scope="col">Since</th>
                <th scope="col">By</th>
                <th scope="col">In flight</th>
              </tr>
            </thead>
            <tbody>
              {app.environments.map((env) => (
                <EnvironmentRow env={env} />
              ))}
            </tbody>
          </table>
          {app.environments.flatMap((env) => warningsOf(env))}
          <h3>In flight</h3>
          {app.inFlight.length === 0 ? (
            <p class="muted">Nothing in flight.</p>
          ) : (
            <ul>
              {app.inFlight.map((release) => (
                <li>
                  <a href={`/releases/${release.id}`}>
                    {shown(app.name)} <span>{shortDigest(shown(release.image))}</span>
                  </a>{' '}
                  <StatusBadge status={release.status} /> requested by {shown(release.requestedBy)}, started <Time at={release.createdAt} />
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </Layout>
  );
}

function EnvironmentRow({ env }: { env: EnvironmentOverview }) {
  const { environment, latest, active } = env;
  const current = environment.current;
  // The history's newest deployment describes what runs only if it deployed that image.
  const deployed = latest && current && latest.image === current.image ? latest : undefined;
  return (
    <tr>
      <th scope="row">{shown(environment.name)}</th>
      <td>{current ? <ImageRef image={current.image} /> : 'nothing recorded'}</td>
      <td>{deployed?.commit ? <code>{shown(deployed.commit)}</code> : '—'}</td>
      <td>
        <Time at={current?.deployedAt} />
      </td>
      <td>{deployed ? `${shown(deployed.requestedBy)}${deployed.approvers.length ? `, approved by ${deployed.approvers.map(shown).join(', ')}` : ''}` : current ? 'recorded at registration' : '—'}</td>
      <td>
        {active.length === 0
          ? '—'
          : active.map(({ release, stage }) => (
              <div>
                <a href={`/releases/${release.id}`}>{shortDigest(shown(release.image))}</a> <StatusBadge status={stage.status} />
              </div>
            ))}
      </td>
    </tr>
  );
}

function warningsOf({ environment }: EnvironmentOverview) {
  const warnings = [];
  if (environment.drift) warnings.push(<Warning>{`drift in ${environment.name}: ${shown(driftWarning(environment.drift))}`}</Warning>);
  if (environment.attention) {
    warnings.push(<Warning>{`${environment.name} needs an operator: a rollback failed (since ${environment.attention.since}): ${shown(environment.attention.reason)}`}</Warning>);
  }
  return warnings;
}

function WaitingForMe({ waiting, now }: { waiting: ApprovalRequest[]; now: Date }) {
  if (waiting.length === 0) return <p class="muted">Nothing waits for your decision.</p>;
  return (
    <ul>
      {waiting.map((r) => (
        <li>
          <a href={`/approvals#${r.releaseId}-${r.environment}`}>
            {shown(r.app)} → {shown(r.environment)}
          </a>{' '}
          <span>{shortDigest(shown(r.image))}</span>, requested by {shown(r.requestedBy)} {ageOf(r.createdAt, now)} ago (<a href={`/releases/${r.releaseId}`}>release</a>)
        </li>
      ))}
    </ul>
  );
}
