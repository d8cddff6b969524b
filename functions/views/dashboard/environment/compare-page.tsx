import type { Child } from 'hono/jsx';
import type { DiffLine } from '../../../domain/config-diff';
import type { Deployment } from '../../../domain/deployment';
import type { DeploymentChange } from '../../../usecases/deployment-history';
import { ImageRef, Time } from '../bits';
import { ConfigDiffTable } from '../components/config-diff-table';
import { shown } from '../format';
import { Layout } from '../layout';
import { StatusBadge } from '../status-badge';

export interface ComparePageProps {
  app: string;
  env: string;
  a: Deployment;
  b: Deployment;
  changes: DeploymentChange[];
  /** The diff of the two configuration versions, when both deployments applied one and they differ. */
  configDiff?: { from: number; to: number; lines: DiffLine[] } | undefined;
  identity: string;
  csrfToken: string;
}

const ROWS: Array<[label: string, field: keyof Deployment, show: (d: Deployment) => Child]> = [
  ['Finished', 'finishedAt', (d) => <Time at={d.finishedAt} />],
  ['Kind', 'type', (d) => shown(d.type)],
  ['Result', 'result', (d) => <StatusBadge status={d.result} />],
  ['Image', 'image', (d) => <ImageRef image={d.image} />],
  ['Commit', 'commit', (d) => (d.commit ? <code>{shown(d.commit)}</code> : '—')],
  ['Requested by', 'requestedBy', (d) => shown(d.requestedBy)],
  ['Approved by', 'approvers', (d) => shown(d.approvers.join(', ') || '—')],
  ['Configuration version', 'configVersion', (d) => (d.configVersion === undefined ? '—' : `v${d.configVersion}`)],
  ['Configuration hash', 'configHash', (d) => (d.configHash ? <code>{shown(d.configHash.slice(0, 16))}</code> : '—')],
];

/** `GET /apps/:app/envs/:env/compare?a=&b=`: two deployments side by side, what differs said in words, and the configuration diff. */
export function ComparePage({ app, env, a, b, changes, configDiff, identity, csrfToken }: ComparePageProps) {
  const changed = new Set<string>(changes.map((c) => c.field));
  const base = `/apps/${app}/envs/${env}`;
  return (
    <Layout title={`Compare deployments of ${app} / ${env}`} identity={identity} csrfToken={csrfToken} section="overview">
      <p>
        <a href={base}>Back to {shown(env)}</a>
      </p>
      <p>{changes.length === 0 ? 'The two deployments are the same in image, configuration, commit, people, result and kind.' : `They differ in ${changes.length} of ${ROWS.length - 1} compared fields.`}</p>
      <table class="grid">
        <caption>A (finished {shown(a.finishedAt)}) and B (finished {shown(b.finishedAt)})</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">A</th>
            <th scope="col">B</th>
            <th scope="col">Differs</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map(([label, field, show]) => (
            <tr>
              <th scope="row">{label}</th>
              <td>{show(a)}</td>
              <td>{show(b)}</td>
              <td>{changed.has(field) ? <strong>differs</strong> : field === 'finishedAt' ? '' : 'same'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Configuration</h2>
      {configDiff ? (
        <ConfigDiffTable lines={configDiff.lines} caption={`Effective configuration, version ${configDiff.from} (A) to version ${configDiff.to} (B)`} />
      ) : (
        <p class="muted">
          {a.configVersion === b.configVersion ? 'Both applied the same configuration version (or none).' : 'Only one of them applied a recorded configuration version, so there is no diff to show.'}
        </p>
      )}
    </Layout>
  );
}
