import type { ApprovalRequest } from '../../domain/approval';
import { ApprovalCard, type CardMode } from './approval-card';
import { Flash } from './bits';
import { Layout } from './layout';

export interface ApprovalsPageProps {
  mine: ApprovalRequest[];
  own: Array<{ request: ApprovalRequest; mayCancel: boolean }>;
  others: ApprovalRequest[];
  /** Set when the sign-in is older than the step-up window: where to sign in again before deciding. */
  stepUpUrl?: string;
  identity: string;
  csrfToken: string;
  now: Date;
  done?: string;
}

/** `GET /approvals`: what I may decide (with the forms in place), my own requests, and the rest I may see. */
export function ApprovalsPage(props: ApprovalsPageProps) {
  const { mine, own, others, stepUpUrl, identity, csrfToken, now, done } = props;
  const card = (request: ApprovalRequest, mode: CardMode) => <ApprovalCard request={request} mode={mode} identity={identity} csrfToken={csrfToken} now={now} />;
  return (
    <Layout title="Approvals" identity={identity} csrfToken={csrfToken} section="approvals">
      <Flash done={done} />
      <section aria-labelledby="mine-h">
        <h2 id="mine-h">Waiting for my decision ({mine.length})</h2>
        {mine.length === 0 ? <p class="muted">Nothing waits for your decision.</p> : mine.map((r) => card(r, { kind: 'decide', ...(stepUpUrl ? { stepUpUrl } : {}) }))}
      </section>
      {own.length > 0 ? (
        <section aria-labelledby="own-h">
          <h2 id="own-h">My releases waiting for approval ({own.length})</h2>
          {own.map(({ request, mayCancel }) => card(request, { kind: 'own', mayCancel }))}
        </section>
      ) : (
        ''
      )}
      {others.length > 0 ? (
        <section aria-labelledby="others-h">
          <h2 id="others-h">Other pending requests ({others.length})</h2>
          {others.map((r) => card(r, { kind: 'see' }))}
        </section>
      ) : (
        ''
      )}
    </Layout>
  );
}
