import type { Child } from 'hono/jsx';
import { assetPath } from './assets';
import { Flash, ImageRef, Time } from './bits';
import { shortDigest, shown } from './format';
import { Layout } from './layout';
import { ReleaseLive } from './release-live';
import type { ReleaseModel } from './release-model';
import { StatusBadge } from './status-badge';

export interface ReleasePageProps {
  model: ReleaseModel;
  identity: string;
  csrfToken: string;
  /** The signed-in identity requested it and may cancel it now. */
  mayCancel: boolean;
  done?: string;
}

/** `GET /releases/:id`: the release's facts, its pipeline as a graph and each environment's details, kept live by a small script. */
export function ReleasePage({ model, identity, csrfToken, mayCancel, done }: ReleasePageProps) {
  const r = model.release;
  const facts: Array<[string, Child]> = [
    ['App', shown(r.app)],
    ['Status', <StatusBadge status={r.status} />],
    ['Image', <ImageRef image={r.image} full />],
    ['Commit', r.commit ? <code>{shown(r.commit)}</code> : '—'],
    ['Author', shown(r.author ?? '—')],
    ['Requested by', shown(r.requestedBy)],
    ['Labels', shown(r.labels.join(', ') || '—')],
    ['Comment', shown(r.comment ?? '—')],
    ['Created', <Time at={r.createdAt} />],
    ['Finished', <Time at={r.finishedAt} />],
    ...(r.reason ? ([['Reason', shown(r.reason)]] as Array<[string, Child]>) : []),
    ...(r.breakGlass ? ([['Break-glass', `${shown(r.breakGlass.by)}: ${shown(r.breakGlass.justification)}`]] as Array<[string, Child]>) : []),
  ];
  return (
    <Layout title={`Release of ${r.app} ${shortDigest(r.image)}`} identity={identity} csrfToken={csrfToken} scripts={model.finished ? [] : [assetPath('release-live.js')]}>
      <Flash done={done} />
      <table>
        <caption class="vh">Release {shown(r.id)}</caption>
        <tbody>
          {facts.map(([label, value]) => (
            <tr>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {mayCancel ? (
        <form method="post" action={`/releases/${r.id}/cancel`}>
          <input type="hidden" name="csrf" value={csrfToken} />
          <input type="hidden" name="from" value="release" />
          <button type="submit">Cancel release</button>
        </form>
      ) : (
        ''
      )}
      <p id="live-status" class="vh" role="status" aria-live="polite"></p>
      <div id="live" data-live-src={`/releases/${r.id}/live`}>
        <ReleaseLive model={model} />
      </div>
      {model.finished ? '' : <p class="muted">This page updates itself while the release runs; without JavaScript, reload it.</p>}
    </Layout>
  );
}
