import type { Child } from 'hono/jsx';
import { evaluateRequest, normaliseIdentity, type ApprovalRequest } from '../../domain/approval';
import { driftWarning, upstreamSummary } from '../approval-summary';
import { ImageRef, Time, Warning } from './bits';
import { ageOf, idFor, shown } from './format';
import { VoteList } from './vote-list';

/**
 * What the signed-in person may do with a request: `decide` it (a form, or a
 * step-up link when the sign-in is too old), see it as their `own` (never
 * theirs to decide; cancellable by the requester), or only `see` it.
 */
export type CardMode = { kind: 'decide'; stepUpUrl?: string } | { kind: 'own'; mayCancel: boolean } | { kind: 'see' };

export interface ApprovalCardProps {
  request: ApprovalRequest;
  mode: CardMode;
  identity: string;
  csrfToken: string;
  now: Date;
}

/** One pending request: what is asked, how it stands, and the action the person may take, in place. */
export function ApprovalCard({ request: r, mode, identity, csrfToken, now }: ApprovalCardProps) {
  const id = idFor(r.releaseId, r.environment);
  const evaluation = evaluateRequest(r);
  return (
    <article class="card" id={id} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        {shown(r.app)} → {shown(r.environment)}
      </h3>
      <table>
        <tbody>
          <Row label="Image" value={<ImageRef image={r.image} full />} />
          <Row label="Commit" value={r.commit ? <code>{shown(r.commit)}</code> : '—'} />
          <Row label="Author" value={shown(r.author ?? '—')} />
          <Row label="Requested by" value={shown(r.requestedBy)} />
          <Row label="Labels" value={shown(r.labels.join(', ') || '—')} />
          <Row label="Comment" value={shown(r.comment ?? '—')} />
          <Row label="Waiting" value={<>{ageOf(r.createdAt, now)} (since <Time at={r.createdAt} />; expires <Time at={r.expiresAt} />)</>} />
          <Row label={`Running in ${r.environment}`} value={r.currentImage ? <ImageRef image={r.currentImage} full /> : 'unknown'} />
          <Row label="Still missing" value={shown(evaluation.summary)} />
          {(r.upstream ?? []).map((up) => (
            <Row label={`${shown(up.environment)} checks`} value={shown(upstreamSummary(up))} />
          ))}
        </tbody>
      </table>
      {r.drift ? <Warning>{shown(driftWarning(r.drift))}</Warning> : ''}
      <h4>Votes so far</h4>
      <VoteList votes={r.votes} />
      <p>
        <a href={`/releases/${r.releaseId}`}>The release and its pipeline</a>
      </p>
      <Action request={r} mode={mode} identity={identity} csrfToken={csrfToken} id={id} />
    </article>
  );
}

function Action({ request: r, mode, identity, csrfToken, id }: { request: ApprovalRequest; mode: CardMode; identity: string; csrfToken: string; id: string }) {
  if (mode.kind === 'decide' && mode.stepUpUrl) {
    return (
      <p class="note">
        Approving or rejecting needs a recent sign-in. <a href={mode.stepUpUrl}>Sign in again to approve</a>
      </p>
    );
  }
  if (mode.kind === 'decide') {
    return (
      <form method="post" action={`/approvals/${r.releaseId}/${r.environment}/decision`}>
        <input type="hidden" name="csrf" value={csrfToken} />
        <p>
          <label for={`${id}-comment`}>Comment (optional)</label>
          <textarea id={`${id}-comment`} name="comment" maxlength={2000}></textarea>
        </p>
        <p>
          <button class="approve" type="submit" name="decision" value="approve" aria-describedby={`${id}-h`}>
            Approve
          </button>
          <button class="reject" type="submit" name="decision" value="reject" aria-describedby={`${id}-h`}>
            Reject
          </button>
        </p>
      </form>
    );
  }
  if (mode.kind === 'own') {
    return (
      <div class="note">
        <p>You requested or authored this release: you cannot approve this (self-approval). The approvers in its rules decide.</p>
        {mode.mayCancel ? (
          <form method="post" action={`/releases/${r.releaseId}/cancel`}>
            <input type="hidden" name="csrf" value={csrfToken} />
            <input type="hidden" name="from" value="approvals" />
            <button type="submit" aria-describedby={`${id}-h`}>
              Cancel release
            </button>
          </form>
        ) : (
          ''
        )}
      </div>
    );
  }
  const own = r.votes.find((v) => v.voter === normaliseIdentity(identity));
  return <p class="note">{own ? `You voted ${own.decision}.` : 'You are not an approver of this environment: you can follow it, not decide it.'}</p>;
}

function Row({ label, value }: { label: string; value: Child }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{value}</td>
    </tr>
  );
}
