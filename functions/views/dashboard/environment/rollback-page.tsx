import type { Environment } from '../../../domain/catalog';
import type { Deployment } from '../../../domain/deployment';
import { ImageRef, Time } from '../bits';
import { CsrfField, TextArea } from '../components/form-fields';
import { shown } from '../format';
import { Layout } from '../layout';
import { environmentPath } from './environment-page';

export interface RollbackPageProps {
  environment: Environment;
  target: Deployment;
  reason: string;
  /** A refused reason, shown by its field. */
  error?: string | undefined;
  identity: string;
  csrfToken: string;
}

/**
 * The confirmation before a rollback: what runs now, what comes back, with
 * the reason (editable); only the POST from here rolls back. Opening it
 * changes nothing.
 */
export function RollbackPage({ environment: env, target, reason, error, identity, csrfToken }: RollbackPageProps) {
  const base = environmentPath(env);
  return (
    <Layout title={`Roll back ${env.app} / ${env.name}?`} identity={identity} csrfToken={csrfToken} section="overview">
      <table>
        <caption class="vh">The rollback</caption>
        <tbody>
          <tr>
            <th scope="row">Runs now</th>
            <td>{env.current ? <ImageRef image={env.current.image} /> : '—'}</td>
          </tr>
          <tr>
            <th scope="row">Comes back</th>
            <td>
              <ImageRef image={target.image} /> (deployed <Time at={target.finishedAt} /> by {shown(target.requestedBy)}
              {target.configVersion === undefined ? '' : `, configuration v${target.configVersion}`})
            </td>
          </tr>
          <tr>
            <th scope="row">Approval</th>
            <td>{env.policy.rollbackRequiresApproval ? 'The policy asks for the same approval as a release first.' : `None needed: it was approved when it shipped${target.approvers.length ? ` (by ${shown(target.approvers.join(', '))})` : ''}.`}</td>
          </tr>
        </tbody>
      </table>
      <p>The rollback runs through the state machine like a release, is exempt from freezes, and is recorded in the audit trail under your name with the reason.</p>
      <form method="post" action={`${base}/rollback`}>
        <CsrfField token={csrfToken} />
        <input type="hidden" name="deploymentId" value={target.id} />
        <TextArea name="reason" label="Reason" value={reason} error={error} maxLength={2000} rows={3} required />
        <p>
          <button class="reject" type="submit">
            Roll back now
          </button>
          <a href={base}>Cancel</a>
        </p>
      </form>
    </Layout>
  );
}
