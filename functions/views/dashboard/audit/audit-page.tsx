import type { ChainedAuditEvent } from '../../../domain/audit-chain';
import type { AuditFilters } from '../../../usecases/audit-trail';
import { Time } from '../bits';
import { Select, TextField } from '../components/form-fields';
import { shown } from '../format';
import { Layout } from '../layout';

export interface AuditPageProps {
  /** The apps whose trail the identity may read (`*`: directory and token changes, for admins). */
  apps: string[];
  app: string | undefined;
  filters: AuditFilters;
  /** Events per page, when not the default (kept by the next-page link). */
  limit?: number | undefined;
  events: ChainedAuditEvent[];
  /** The next page's cursor. */
  next?: string | undefined;
  /** A refused filter, by the field it is about (or `form`). */
  errors: Record<string, string>;
  identity: string;
  csrfToken: string;
}

const query = (params: Record<string, string | undefined>) => new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();

const detailOf = (event: ChainedAuditEvent) => {
  const text = event.detail === undefined ? '' : JSON.stringify(event.detail);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/**
 * `GET /audit`: an app's hash-chained trail page by page in sequence order,
 * filtered by a GET form (environment, actor, from/to in UTC), with links to
 * verify the whole chain and to the auditors' exports.
 */
export function AuditPage({ apps, app, filters, limit, events, next, errors, identity, csrfToken }: AuditPageProps) {
  const appName = (name: string) => (name === '*' ? 'Directory and tokens (*)' : name);
  return (
    <Layout title="Audit trail" identity={identity} csrfToken={csrfToken} section="audit">
      {apps.length === 0 ? <p class="muted">You may not read any audit trail.</p> : ''}
      <form method="get" action="/audit" class="card filters">
        <Select name="app" label="App" value={app} options={apps.map((name) => [name, appName(name)])} error={errors.app} />
        <TextField name="environment" label="Environment" value={filters.environment} error={errors.environment} />
        <TextField name="actor" label="Actor (email, ci:name or system:…)" value={filters.actor} error={errors.actor} maxLength={254} />
        <TextField name="from" label="From (UTC, inclusive)" type="datetime-local" value={localOf(filters.from)} error={errors.from} />
        <TextField name="to" label="To (UTC, exclusive)" type="datetime-local" value={localOf(filters.to)} error={errors.to} />
        <p>
          <button type="submit">Show events</button>
        </p>
      </form>
      {errors.form ? <p class="field-error">{shown(errors.form)}</p> : ''}
      {app ? (
        <p>
          <a href={`/audit/verify?${query({ app })}`}>Verify the whole chain</a> · Export:{' '}
          <a href={`/audit/export?${query({ app, format: 'jsonl' })}`} download>
            JSON Lines (verifiable offline)
          </a>{' '}
          ·{' '}
          <a href={`/audit/export?${query({ app, format: 'csv' })}`} download>
            CSV
          </a>
        </p>
      ) : (
        ''
      )}
      {app && Object.keys(errors).length === 0 ? (
        <table class="grid">
          <caption>
            {appName(app)}: {events.length === 0 ? 'no events match' : `events ${events[0]?.seq} to ${events.at(-1)?.seq} that match`}
          </caption>
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">At</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr>
                <th scope="row">{event.seq}</th>
                <td>
                  <Time at={event.at} />
                </td>
                <td>{shown(event.actor)}</td>
                <td>{shown(event.action)}</td>
                <td>
                  <code>{shown(event.subject)}</code>
                </td>
                <td>
                  <code>{shown(detailOf(event))}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        ''
      )}
      {app && next ? (
        <p>
          <a href={`/audit?${query({ app, ...filters, ...(limit ? { limit: String(limit) } : {}), cursor: next })}`}>Next events</a>
        </p>
      ) : (
        ''
      )}
    </Layout>
  );
}

/** An ISO instant as a `datetime-local` value in UTC ("2026-12-02T12:00"); other text is shown as given. */
function localOf(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(iso) ? iso.slice(0, 16) : iso;
}
