import { isSelfApproval, normaliseIdentity, evaluateRequest } from '../../../domain/approval';
import { flattenConfig } from '../../../domain/config-diff';
import type { ConfigOverview } from '../../../usecases/config-views';
import { Time } from '../bits';
import { ConfigDiffText } from '../components/config-diff-table';
import { CsrfField, TextArea } from '../components/form-fields';
import { shown } from '../format';
import { StatusBadge } from '../status-badge';

export interface ConfigSectionProps {
  base: string;
  config: ConfigOverview;
  identity: string;
  csrfToken: string;
  /** Holds config-approver here (recordVote judges eligibility again on POST). */
  mayDecide: boolean;
  /** The sign-in is recent enough to decide (step-up, B14); otherwise a link to sign in again. */
  recentSignIn: boolean;
  signInAgainUrl: string;
}

/**
 * S4 on the environment page: the published version with its effective
 * configuration, the open draft with the diff its approvers were sent and
 * where its vote stands, Approve / Reject for a config approver who may still
 * decide (the same vote as the emailed link), and the versions kept.
 */
export function ConfigSection(props: ConfigSectionProps) {
  const { config, base } = props;
  const published = config.published;
  return (
    <>
      <p>{config.protected ? 'Protected: a change is a draft that config approvers must approve.' : 'Not protected: a change is published at once.'}</p>
      <h3>Published</h3>
      {published ? (
        <>
          <p>
            Version {published.version} by {shown(published.author)}, published <Time at={published.publishedAt} />
            {published.approvedBy.length ? `, approved by ${shown(published.approvedBy.join(', '))}` : ''}. Hash <code>{shown(published.hash.slice(0, 16))}</code>.
            {published.comment ? ` “${shown(published.comment)}”` : ''}
          </p>
          <EffectiveConfig config={published.effective} />
        </>
      ) : (
        <p class="muted">No configuration published yet: deployments keep what the cluster has.</p>
      )}
      <h3>Open draft</h3>
      <Draft {...props} />
      <h3>Versions</h3>
      {config.versions.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <table class="grid">
          <caption class="vh">Configuration versions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Published</th>
              <th scope="col">Author</th>
              <th scope="col">Approved by</th>
              <th scope="col">Hash</th>
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            {config.versions.map((v) => (
              <tr>
                <th scope="row">v{v.version}</th>
                <td>
                  <Time at={v.publishedAt} />
                </td>
                <td>{shown(v.author)}</td>
                <td>{shown(v.approvedBy.join(', ') || '—')}</td>
                <td>
                  <code>{shown(v.hash.slice(0, 16))}</code>
                </td>
                <td>{shown(v.comment ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">
        Configuration changes are proposed with <code>PUT /v1/apps/{'{app}'}/envs/{'{env}'}/config</code>; see <a href={`${base}#history`}>the history</a> for what each deployment applied.
      </p>
    </>
  );
}

function EffectiveConfig({ config }: { config: Parameters<typeof flattenConfig>[0] }) {
  const rows = flattenConfig(config);
  if (rows.length === 0) return <p class="muted">Empty: nothing is overridden.</p>;
  return (
    <table class="grid">
      <caption class="vh">Effective configuration</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([path, value]) => (
          <tr>
            <th scope="row">
              <code>{shown(path)}</code>
            </th>
            <td>
              <code>{shown(value)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Draft({ config, base, identity, csrfToken, mayDecide, recentSignIn, signInAgainUrl }: ConfigSectionProps) {
  const { draft, request, published } = config;
  if (!draft) return <p class="muted">No open draft.</p>;
  const stale = draft.baseVersion !== (published?.version ?? 0);
  const evaluation = request ? evaluateRequest(request) : undefined;
  const voted = request?.votes.some((v) => v.voter === normaliseIdentity(identity)) ?? false;
  const canVoteNow = mayDecide && request?.status === 'pending' && !voted && !isSelfApproval({ requestedBy: draft.author }, identity);
  return (
    <div class="card">
      <p>
        By {shown(draft.author)}, edited <Time at={draft.updatedAt} />, from version {draft.baseVersion}.{draft.comment ? ` “${shown(draft.comment)}”` : ''}
        {draft.rolloutOnApprove ? ' Approving also redeploys the running image with it.' : ''}
      </p>
      {stale ? <p class="warn">Stale: version {published?.version ?? 0} was published since this draft was made; its author must rebase it before it can be approved.</p> : ''}
      <p>
        Approval: {request ? <StatusBadge status={request.status} /> : 'no request'} {evaluation && request?.status === 'pending' ? shown(evaluation.summary) : ''}
        {request?.votes.length ? ` Votes: ${shown(request.votes.map((v) => `${v.voter} ${v.decision}d`).join(', '))}.` : ''}
      </p>
      <ConfigDiffText text={request?.configDiff} />
      {canVoteNow && !recentSignIn ? (
        <p>
          Deciding needs a recent sign-in. <a href={signInAgainUrl}>Sign in again to approve or reject</a>.
        </p>
      ) : (
        ''
      )}
      {canVoteNow && recentSignIn ? (
        <form method="post" action={`${base}/config/decision`}>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="draft" value={draft.id} />
          <TextArea name="comment" label="Comment (optional)" maxLength={2000} rows={2} />
          <p>
            <button class="approve" type="submit" name="decision" value="approve">
              Approve configuration
            </button>
            <button class="reject" type="submit" name="decision" value="reject">
              Reject configuration
            </button>
          </p>
        </form>
      ) : (
        ''
      )}
      {voted ? <p class="muted">You voted on this draft.</p> : ''}
    </div>
  );
}
