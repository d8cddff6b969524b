import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
// The library's own in-memory storage (what it uses when given none), passed explicitly so it does not warn on every start.
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { demoDirectory } from './seed';

/** Every local dashboard user signs in with this password (local only). */
export const LOCAL_PASSWORD = 'gatekeeper';

export interface LocalUser {
  email: string;
  /** Sent as the `groups` claim (the local stack sets OIDC_GROUPS_CLAIM=groups). */
  groups: string[];
  /** `email_verified` in the ID token: true unless set to false (tests of the refusal). */
  emailVerified?: boolean;
}

/** Every seeded person (admin, approvers, deployers, viewers) with the groups the demo directory gives them. */
export function demoUsers(): LocalUser[] {
  const directory = demoDirectory();
  const emails = new Set<string>();
  for (const grant of directory.grants) if ('user' in grant.subject && grant.subject.user.includes('@')) emails.add(grant.subject.user);
  for (const members of Object.values(directory.groups)) for (const member of members) emails.add(member);
  return [...emails].sort().map((email) => ({ email, groups: Object.entries(directory.groups).filter(([, members]) => members.includes(email)).map(([name]) => name) }));
}

export interface LocalIdpOptions {
  port: number;
  /** Gatekeeper's `${PUBLIC_BASE_URL}/auth/callback`. */
  redirectUri: string;
  /** Where the provider's end-session page sends people back to. */
  postLogoutRedirectUri: string;
  users?: LocalUser[];
  log?: (line: string) => void;
  /** When people sign in (the ID token's auth_time); the real time when absent. The stack passes the API's clock, so tests can age a sign-in. */
  clock?: () => Date;
}

export interface LocalIdp {
  /** The issuer: `http://127.0.0.1:<port>`. */
  url: string;
  clientId: string;
  clientSecret: string;
  users: LocalUser[];
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (the `oidc-provider` package) for the local
 * stack: one confidential client (id and secret generated per start; code flow,
 * PKCE required, `auth_time` always in the ID token), the seeded people as
 * users with one password, consent granted for that first-party client. Its
 * login page is a plain form (Email, Password, Sign in) with no external
 * assets; nothing it prints holds a secret. State lives in memory: a restart
 * signs everyone out of the provider (not of Gatekeeper).
 */
export async function startLocalIdp(options: LocalIdpOptions): Promise<LocalIdp> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const users = options.users ?? demoUsers();
  const byEmail = new Map(users.map((user) => [user.email.toLowerCase(), user]));
  const clientId = `gatekeeper-local-${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const log = options.log ?? (() => undefined);

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: Configuration = {
    adapter: createMemoryAdapter(),
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        client_name: 'Gatekeeper (local)',
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        require_auth_time: true,
      },
    ],
    pkce: { required: () => true },
    jwks: { keys: [{ ...signingKey, kid: 'local', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub', 'groups'], email: ['email', 'email_verified'] },
    // Claims the scopes grant go into the ID token itself (as Cognito, Okta and Google do), not only to userinfo.
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub) => {
      const user = byEmail.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: () => ({ sub, email: user.email, email_verified: user.emailVerified ?? true, groups: user.groups }) };
    },
    // First-party client: consent is implied, so the provider never asks.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, provider } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email');
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = idpPage('Sign out', `${form}<p>Sign out of the local identity provider too?</p><p><button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button> <button type="submit" form="op.logoutForm">No, stay signed in</button></p>`);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = idpPage('Signed out', '<p>You are signed out of the local identity provider.</p>');
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = idpPage('Sign-in error', `<p>${escape(String(out.error ?? 'error'))}: ${escape(String(out.error_description ?? ''))}</p>`);
    },
    clientBasedCORS: () => false,
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx: unknown, error: Error) => log(`[idp] server error: ${error.message}`));
  const oidcHandler = provider.callback();

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
    if (!interaction) return void oidcHandler(req, res);
    const [, uid, login] = interaction;
    const handled = login && req.method === 'POST' ? signIn(req, res, uid ?? '') : req.method === 'GET' && !login ? showForm(req, res, uid ?? '') : Promise.resolve(send(res, 405, idpPage('Not allowed', '<p>Method not allowed.</p>')));
    handled.catch((error: Error) => {
      log(`[idp] interaction failed: ${error.message}`);
      if (!res.headersSent) send(res, 400, idpPage('Sign-in expired', '<p>This sign-in has expired. Go back to Gatekeeper and start again.</p>'));
    });
  });

  async function showForm(req: IncomingMessage, res: ServerResponse, uid: string, problem?: string, email = '') {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (details.prompt.name !== 'login') {
      // Consent for the first-party client (loadExistingGrant normally answers it first).
      const grant = new provider.Grant({ clientId: String(details.params.client_id), accountId: details.session?.accountId ?? '' });
      grant.addOIDCScope('openid email');
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      return;
    }
    send(res, 200, loginForm(uid, problem, email));
  }

  async function signIn(req: IncomingMessage, res: ServerResponse, uid: string) {
    const form = new URLSearchParams(await readBody(req));
    const email = (form.get('email') ?? '').trim().toLowerCase();
    const password = form.get('password') ?? '';
    if (!byEmail.has(email) || !samePassword(password)) {
      log(`[idp] sign-in refused for ${byEmail.has(email) ? email : 'an unknown user'}`);
      return showForm(req, res, uid, 'Wrong email or password.', email);
    }
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid || details.prompt.name !== 'login') throw new Error('interaction mismatch');
    const ts = options.clock ? { ts: Math.floor(options.clock().getTime() / 1000) } : {};
    await provider.interactionFinished(req, res, { login: { accountId: email, amr: ['pwd'], ...ts } }, { mergeWithLastSubmission: false });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });

  return {
    url: issuer,
    clientId,
    clientSecret,
    users,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function samePassword(sent: string): boolean {
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(LOCAL_PASSWORD, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage, limit = 8192): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('form too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value: string) => value.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;margin:.25rem 0}input{width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:1rem;padding:.4rem 1rem}[role=alert]{color:#a40e26}';

const STYLE_SOURCE = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

function idpPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escape(title)} · Local identity provider</title><style>${STYLE}</style></head><body><main><h1>${escape(title)}</h1>${body}<p><small>Local identity provider for the Gatekeeper dashboard (local stack only).</small></p></main></body></html>`;
}

function loginForm(uid: string, problem: string | undefined, email: string): string {
  return idpPage(
    'Sign in',
    `${problem ? `<p role="alert">${escape(problem)}</p>` : ''}<form method="post" action="/interaction/${escape(uid)}/login">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escape(email)}"${email ? '' : ' autofocus'}>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required${email ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The one stylesheet by its hash; the form posts here, and the provider then redirects to Gatekeeper on another port.
    'content-security-policy': `default-src 'none'; style-src ${STYLE_SOURCE}; form-action 'self' http://127.0.0.1:*; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
  });
  res.end(html);
}
