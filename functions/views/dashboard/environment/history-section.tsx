import type { Deployment } from '../../../domain/deployment';
import { ImageRef, Time } from '../bits';
import { shown, when } from '../format';
import { StatusBadge } from '../status-badge';

export interface HistoryProps {
  base: string;
  deployments: Deployment[];
  /** The cursor of the next (older) page, when there is one. */
  older?: string | undefined;
  /** This page is not the newest (it was reached with a cursor). */
  paged: boolean;
  currentImage: string | undefined;
  mayRollBack: boolean;
}

/** A deployment a rollback may target: it succeeded and is not what runs now. */
export const rollbackTarget = (d: Deployment, currentImage: string | undefined) => d.result === 'succeeded' && d.image !== currentImage;

/**
 * S9 as a table, newest first: two radio columns choose the deployments to
 * compare (a GET form, so it works without script), each row links to its
 * release and, for deployers, to rolling back to it; "Older" follows the
 * store's cursor.
 */
export function HistorySection({ base, deployments, older, paged, currentImage, mayRollBack }: HistoryProps) {
  if (deployments.length === 0) return <p class="muted">No deployments recorded yet.</p>;
  const [newest, previous] = deployments;
  return (
    <form method="get" action={`${base}/compare`}>
      <table class="grid history">
        <caption>Deployments, newest first</caption>
        <thead>
          <tr>
            <th scope="col">A</th>
            <th scope="col">B</th>
            <th scope="col">Finished</th>
            <th scope="col">Kind</th>
            <th scope="col">Result</th>
            <th scope="col">Image</th>
            <th scope="col">Commit</th>
            <th scope="col">Requested by</th>
            <th scope="col">Approved by</th>
            <th scope="col">Config</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {deployments.map((d) => (
            <tr>
              <td>
                <input type="radio" name="a" value={d.id} id={`a-${d.id}`} checked={d === (previous ?? newest)} />
                <label for={`a-${d.id}`} class="vh">
                  Compare from the deployment finished {when(d.finishedAt)}
                </label>
              </td>
              <td>
                <input type="radio" name="b" value={d.id} id={`b-${d.id}`} checked={d === newest} />
                <label for={`b-${d.id}`} class="vh">
                  Compare to the deployment finished {when(d.finishedAt)}
                </label>
              </td>
              <td>
                <Time at={d.finishedAt} />
              </td>
              <td>{shown(d.type)}</td>
              <td>
                <StatusBadge status={d.result} />
                {d.reason ? <span class="muted"> {shown(d.reason)}</span> : ''}
              </td>
              <td>
                <ImageRef image={d.image} />
              </td>
              <td>{d.commit ? <code>{shown(d.commit.slice(0, 12))}</code> : '—'}</td>
              <td>{shown(d.requestedBy)}</td>
              <td>{shown(d.approvers.join(', ') || '—')}</td>
              <td>{d.configVersion === undefined ? '—' : `v${d.configVersion}`}</td>
              <td>
                <a href={`/releases/${d.releaseId}`}>Release</a>
                {mayRollBack && rollbackTarget(d, currentImage) ? (
                  <>
                    {' · '}
                    <a href={`${base}/rollback?to=${encodeURIComponent(d.id)}`}>Roll back to this…</a>
                  </>
                ) : (
                  ''
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="submit">Compare A with B</button>
        {paged ? <a href={base}>Newest</a> : ''}
        {paged && older ? ' · ' : ''}
        {older ? <a href={`${base}?cursor=${encodeURIComponent(older)}`}>Older</a> : ''}
      </p>
    </form>
  );
}
