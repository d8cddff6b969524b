import type { Environment } from '../../../domain/catalog';
import type { DeploymentPage } from '../../../domain/ports';
import type { ConfigOverview } from '../../../usecases/config-views';
import { policyDetails, policySummary } from '../../policy-words';
import { ImageRef, Time, Warning } from '../bits';
import { Notice } from '../components/notice';
import { shortDigest, shown, when } from '../format';
import { Layout } from '../layout';
import { ConfigSection } from './config-section';
import { HistorySection, rollbackTarget } from './history-section';

export interface EnvironmentPageProps {
  environment: Environment;
  history: DeploymentPage;
  /** The page was reached with a cursor (not the newest). */
  paged: boolean;
  config: ConfigOverview;
  may: { rollBack: boolean; decideConfig: boolean };
  identity: string;
  csrfToken: string;
  recentSignIn: boolean;
  signInAgainUrl: string;
  done?: string | undefined;
  /** The release a POST just started (a rollback). */
  started?: string | undefined;
}

const DONE: Record<string, string> = {
  'rollback-started': 'Rollback started: it goes through the state machine like a release.',
  approved: 'You approved the draft: it is published.',
  rejected: 'You rejected the draft.',
  voted: 'Your approval is recorded; the draft still needs more approvals.',
};

export const environmentPath = (env: Pick<Environment, 'app' | 'name'>) => `/apps/${env.app}/envs/${env.name}`;

/**
 * `GET /apps/:app/envs/:env`: what runs there, the policy in plain words,
 * the deployment history (compare any two, roll back to a good one) and the
 * configuration (published, the open draft and its vote, versions). Buttons
 * are shown only to those who may use them; the POSTs check again.
 */
export function EnvironmentPage(props: EnvironmentPageProps) {
  const { environment: env, history, config, may, identity, csrfToken, done, started } = props;
  const base = environmentPath(env);
  const targets = history.deployments.filter((d) => rollbackTarget(d, env.current?.image));
  return (
    <Layout title={`${env.app} / ${env.name}`} identity={identity} csrfToken={csrfToken} section="overview">
      <Notice done={done} messages={DONE} />
      {started ? (
        <p>
          <a href={`/releases/${encodeURIComponent(started)}`}>Follow the rollback release</a>
        </p>
      ) : (
        ''
      )}
      <table>
        <caption class="vh">What runs in {shown(env.name)}</caption>
        <tbody>
          <tr>
            <th scope="row">Runs</th>
            <td>{env.current ? <ImageRef image={env.current.image} /> : '—'}</td>
          </tr>
          <tr>
            <th scope="row">Deployed</th>
            <td>
              <Time at={env.current?.deployedAt} />
            </td>
          </tr>
          <tr>
            <th scope="row">Cluster</th>
            <td>
              {shown(env.target.cluster ?? 'default')} · namespace <code>{shown(env.target.namespace)}</code> · deployment <code>{shown(env.target.deployment)}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Follows</th>
            <td>{env.after?.length ? shown(env.after.join(', ')) : 'nothing (starts the pipeline)'}</td>
          </tr>
        </tbody>
      </table>
      {env.drift ? <Warning>The cluster runs {shown(env.drift.image)} instead (drift since {shown(env.drift.since)}).</Warning> : ''}
      {env.attention ? <Warning>A rollback failed here ({shown(env.attention.reason)}): an operator must look.</Warning> : ''}
      <h2>Policy</h2>
      <p>
        <strong>{policySummary(env.policy)}</strong>
      </p>
      <ul>
        {policyDetails(env.policy).map((line) => (
          <li>{line}</li>
        ))}
      </ul>
      <h2 id="history">Deployment history</h2>
      <HistorySection base={base} deployments={history.deployments} older={history.cursor} paged={props.paged} currentImage={env.current?.image} mayRollBack={may.rollBack} />
      {may.rollBack && (targets.length > 0 || history.cursor) ? (
        <form method="get" action={`${base}/rollback`} class="card">
          <h3>Roll back</h3>
          <p class="field">
            <label for="rollback-to">Roll back to</label>
            <select id="rollback-to" name="to">
              <option value="">the last good deployment before what runs now</option>
              {targets.map((d) => (
                <option value={d.id}>
                  {shortDigest(shown(d.image))} finished {when(d.finishedAt)}
                </option>
              ))}
            </select>
          </p>
          <p class="field">
            <label for="rollback-reason">Reason</label>
            <textarea id="rollback-reason" name="reason" rows={2} maxlength={2000} required></textarea>
          </p>
          <p>
            <button type="submit">Review rollback…</button>
          </p>
        </form>
      ) : (
        ''
      )}
      <h2 id="configuration">Configuration</h2>
      <ConfigSection base={base} config={config} identity={identity} csrfToken={csrfToken} mayDecide={may.decideConfig} recentSignIn={props.recentSignIn} signInAgainUrl={props.signInAgainUrl} />
    </Layout>
  );
}
