import type { Verification } from '../../../usecases/audit-trail';
import { shown } from '../format';
import { Layout } from '../layout';

/** `GET /audit/verify?app=`: the whole chain recomputed against its stored head; OK, or the first break and why. Changes nothing. */
export function VerifyPage({ app, result, identity, csrfToken }: { app: string; result: Verification; identity: string; csrfToken: string }) {
  return (
    <Layout title={`Verify the audit trail of ${app === '*' ? 'the directory' : app}`} identity={identity} csrfToken={csrfToken} section="audit">
      {result.ok ? (
        <p class="flash" role="status">
          <strong>OK:</strong> all {result.events} events are intact and end at the stored head (event {result.head.seq}, hash <code>{result.head.hash}</code>).
        </p>
      ) : (
        <div class="warn" role="alert">
          <p>
            <strong>Broken:</strong> the chain breaks at event {result.firstBreak.seq} ({shown(result.firstBreak.kind)}).
          </p>
          <p>{shown(result.firstBreak.detail)}</p>
          <p>
            {result.events} events were checked; the stored head is event {result.head.seq}.
          </p>
        </div>
      )}
      <p class="muted">Compare the head with one you obtained separately (for example the X-Audit-Head of an earlier export): a chain rewritten from the start would verify too.</p>
      <p>
        <a href={`/audit?app=${encodeURIComponent(app)}`}>Back to the trail</a>
      </p>
    </Layout>
  );
}
