import type { PublicToken } from '../../../usecases/tokens';
import { Time } from '../bits';
import { shown } from '../format';
import { Layout } from '../layout';

/**
 * The answer to creating a token: the secret, this once (only its SHA-256 is
 * stored; the page is `no-store`, so Back does not bring it again). Selecting
 * the read-only field and copying works without script.
 */
export function TokenCreatedPage({ token, secret, identity, csrfToken }: { token: PublicToken; secret: string; identity: string; csrfToken: string }) {
  return (
    <Layout title="Token created" identity={identity} csrfToken={csrfToken} section="admin">
      <p class="warn">
        <strong>Copy the token now:</strong> it is shown only on this page. Gatekeeper keeps only a hash of it and cannot show it again; if it is lost, revoke it and create another.
      </p>
      <p class="field">
        <label for="new-token">Token for {shown(token.identity)}</label>
        <input id="new-token" class="secret" type="text" value={secret} readonly autocomplete="off" spellcheck={false} aria-describedby="new-token-hint" />
        <span id="new-token-hint" class="muted">
          Select it and copy (Ctrl+C or ⌘C). Send it as <code>Authorization: Bearer &lt;token&gt;</code>.
        </span>
      </p>
      <table>
        <caption class="vh">The token</caption>
        <tbody>
          <tr>
            <th scope="row">Id</th>
            <td>
              <code>{shown(token.id)}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Kind</th>
            <td>{token.type}</td>
          </tr>
          <tr>
            <th scope="row">Description</th>
            <td>{shown(token.description ?? '—')}</td>
          </tr>
          <tr>
            <th scope="row">Expires</th>
            <td>{token.expiresAt ? <Time at={token.expiresAt} /> : 'never'}</td>
          </tr>
        </tbody>
      </table>
      <p>
        <a href="/admin#tokens">Back to Admin</a>
      </p>
    </Layout>
  );
}
