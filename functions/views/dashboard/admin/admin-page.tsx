import type { App } from '../../../domain/catalog';
import type { Directory } from '../../../domain/authorization';
import type { PublicToken } from '../../../usecases/tokens';
import { Notice } from '../components/notice';
import { Layout } from '../layout';
import { AppsSection } from './apps-section';
import { DirectorySection } from './directory-section';
import { emptyForm, type FormState } from './form-state';
import { TokensSection } from './tokens-section';

export interface AdminPageProps {
  /** The apps the identity may manage. */
  apps: App[];
  mayRegister: boolean;
  /** Groups, grants and tokens: only for admins of everything (`*`/`*`). */
  directory?: Directory | undefined;
  tokens?: PublicToken[] | undefined;
  /** A refused form, shown again with its errors. */
  forms?: Partial<Record<'app' | 'group' | 'grant' | 'token', FormState>>;
  recentSignIn: boolean;
  signInAgainUrl: string;
  identity: string;
  csrfToken: string;
  now: Date;
  done?: string | undefined;
}

const DONE: Record<string, string> = {
  'app-registered': 'App registered.',
  'group-saved': 'Group saved.',
  'grant-added': 'Grant added.',
  'grant-removed': 'Grant removed.',
  'token-revoked': 'Token revoked: it no longer authenticates.',
};

/** `GET /admin`: apps and policies, groups, grants and API tokens, each change a POST with the session's CSRF token (and a recent sign-in). */
export function AdminPage(props: AdminPageProps) {
  const forms = props.forms ?? {};
  return (
    <Layout title="Admin" identity={props.identity} csrfToken={props.csrfToken} section="admin">
      <Notice done={props.done} messages={DONE} />
      {props.recentSignIn ? (
        ''
      ) : (
        <p class="warn">
          Changes need a sign-in from the last 15 minutes. <a href={props.signInAgainUrl}>Sign in again</a> before you change anything.
        </p>
      )}
      <AppsSection apps={props.apps} mayRegister={props.mayRegister} form={forms.app ?? emptyForm()} csrfToken={props.csrfToken} />
      {props.directory ? <DirectorySection directory={props.directory} groupForm={forms.group ?? emptyForm()} grantForm={forms.grant ?? emptyForm()} csrfToken={props.csrfToken} /> : ''}
      {props.tokens ? <TokensSection tokens={props.tokens} form={forms.token ?? emptyForm()} csrfToken={props.csrfToken} now={props.now} /> : ''}
    </Layout>
  );
}
