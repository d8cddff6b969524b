import { shown } from './format';
import { Layout } from './layout';

/** A refused dashboard request, as the API would describe it (RFC 9457 fields), in words. */
export interface ShownProblem {
  title: string;
  detail: string;
  status: number;
  /** The problem's slug: `self-approval`, `forbidden`, `step-up-required`… */
  type: string;
}

/** A refused or failed dashboard request as a page in the dashboard's shell. */
export function ProblemPage({ problem, identity, csrfToken }: { problem: ShownProblem; identity: string; csrfToken: string }) {
  return (
    <Layout title={problem.title} identity={identity} csrfToken={csrfToken}>
      <p>{shown(problem.detail)}</p>
      <p class="muted">
        Problem <code>{shown(problem.type)}</code> (HTTP {problem.status}).
      </p>
      <p>
        <a href="/approvals">Approvals</a> · <a href="/">Overview</a>
      </p>
    </Layout>
  );
}
