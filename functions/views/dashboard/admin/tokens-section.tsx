import type { PublicToken } from '../../../usecases/tokens';
import { Time } from '../bits';
import { ActionButton, CsrfField, TextField } from '../components/form-fields';
import { shown } from '../format';
import type { FormState } from './form-state';

const stateOf = (token: PublicToken, now: Date) => (token.revokedAt ? `revoked by ${token.revokedBy ?? '?'}` : token.expiresAt && Date.parse(token.expiresAt) <= now.getTime() ? 'expired' : 'active');

/** API tokens: listed without their secrets (none is stored), created (the secret shown once, on the next page) and revoked. */
export function TokensSection({ tokens, form, csrfToken, now }: { tokens: PublicToken[]; form: FormState; csrfToken: string; now: Date }) {
  return (
    <section aria-labelledby="tokens">
      <h2 id="tokens">API tokens</h2>
      <table class="grid">
        <caption class="vh">API tokens (never their secrets)</caption>
        <thead>
          <tr>
            <th scope="col">Identity</th>
            <th scope="col">Id</th>
            <th scope="col">Kind</th>
            <th scope="col">Description</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => {
            const state = stateOf(token, now);
            return (
              <tr>
                <th scope="row">{shown(token.identity)}</th>
                <td>
                  <code>{shown(token.id)}</code>
                </td>
                <td>{token.type}</td>
                <td>{shown(token.description ?? '')}</td>
                <td>
                  <Time at={token.createdAt} /> by {shown(token.createdBy)}
                </td>
                <td>
                  <Time at={token.expiresAt} />
                </td>
                <td>{shown(state)}</td>
                <td>
                  {state === 'active' ? (
                    <ActionButton action={`/admin/tokens/${token.id}/revoke`} csrfToken={csrfToken} label="Revoke">
                      <span class="vh">{shown(` token ${token.id} of ${token.identity}`)}</span>
                    </ActionButton>
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <form method="post" action="/admin/tokens" class="card">
        <h3>Create a token</h3>
        <CsrfField token={csrfToken} />
        <TextField name="identity" label="For (an email, or ci:name for a pipeline)" value={form.values.identity} error={form.errors.identity} required maxLength={254} />
        <TextField name="description" label="Description (optional)" value={form.values.description} error={form.errors.description} maxLength={200} />
        <TextField name="expiresInDays" label="Expires after (days, 1–366; empty: never)" type="number" min={1} max={366} value={form.values.expiresInDays} error={form.errors.expiresInDays} />
        {form.errors.form ? <p class="field-error">{shown(form.errors.form)}</p> : ''}
        <p>
          <button type="submit">Create token</button>
        </p>
      </form>
    </section>
  );
}
