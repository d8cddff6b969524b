import * as oidc from 'openid-client';
import { isLoopbackUrl } from '../../config';
import { SignInFailure } from '../../domain/errors';
import type { SecretSource } from './secrets';

/**
 * The port the dashboard's sign-in uses: an OpenID Connect relying party doing
 * the authorization code flow with PKCE (S256), state and nonce. The library
 * (openid-client) stays behind it.
 */
export interface OidcClient {
  /** Where to send the browser, and what the callback must check. `stepUp` asks the provider to authenticate the person again now. */
  authorizationRequest(options: { redirectUri: string; stepUp: boolean }): Promise<AuthorizationRequest>;
  /** Checks the provider's answer at the callback URL against `expected`, redeems the code and verifies the ID token. Throws `SignInFailure` (domain/errors). */
  completeSignIn(callbackUrl: URL, expected: SignInChecks): Promise<IdTokenClaims>;
  /** The provider's RP-initiated logout URL, or undefined when its metadata names no end_session_endpoint (e.g. Cognito). */
  endSessionUrl(postLogoutRedirectUri: string): Promise<string | undefined>;
}

export interface SignInChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A step-up sign-in must carry an auth_time from just now (max_age=0). */
  stepUp: boolean;
}

export interface AuthorizationRequest extends SignInChecks {
  url: string;
}

/** What the dashboard takes from a verified ID token. */
export interface IdTokenClaims {
  subject: string;
  email?: string;
  /** Only `true` (a JSON boolean) counts as verified. */
  emailVerified: boolean;
  /** When the person authenticated (epoch seconds), if the provider said. */
  authTime?: number;
  /** The configured groups claim, when configured and present (strings only). */
  groups?: string[];
}

export interface OidcClientSettings {
  issuer: string;
  clientId: string;
  clientSecret: SecretSource;
  groupsClaim?: string | undefined;
  /** Seconds per request to the provider (discovery, token endpoint, JWKS). */
  timeoutSeconds?: number;
}

/** Scopes asked for: the identity is the verified email. */
const SCOPE = 'openid email';
/** Groups kept from the claim: names of at most this many characters, at most this many names (a cookie holds them). */
const MAX_GROUPS = 50;
const MAX_GROUP_LENGTH = 128;

/**
 * The openid-client implementation. Discovery (and the client secret) are
 * fetched on first use and kept for the life of the process; a failed discovery
 * is not kept, so the next sign-in tries again. Plain http is allowed only for
 * an issuer on a loopback host (the local stack's provider), decided from the
 * issuer URL itself.
 */
export function openIdConnectClient(settings: OidcClientSettings): OidcClient {
  let configuration: Promise<oidc.Configuration> | undefined;
  const discover = (): Promise<oidc.Configuration> =>
    (configuration ??= (async () => {
      const secret = await settings.clientSecret();
      const insecure = isLoopbackUrl(settings.issuer) && settings.issuer.startsWith('http://');
      const config = await oidc.discovery(new URL(settings.issuer), settings.clientId, { client_secret: secret }, oidc.ClientSecretBasic(secret), {
        timeout: settings.timeoutSeconds ?? 5,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
      config.timeout = settings.timeoutSeconds ?? 5;
      return config;
    })().catch((error: unknown) => {
      configuration = undefined;
      throw new SignInFailure('the identity provider could not be reached (discovery failed)', 'unavailable', { cause: error });
    }));

  return {
    async authorizationRequest({ redirectUri, stepUp }) {
      const config = await discover();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const parameters: Record<string, string> = {
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: SCOPE,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        // Step-up (OIDC Core 3.1.2.1): authenticate again now, whatever session the provider has.
        ...(stepUp ? { prompt: 'login', max_age: '0' } : {}),
      };
      return { url: oidc.buildAuthorizationUrl(config, parameters).href, state, nonce, codeVerifier, stepUp };
    },

    async completeSignIn(callbackUrl, expected) {
      const config = await discover();
      let claims: oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: expected.codeVerifier,
          expectedState: expected.state,
          expectedNonce: expected.nonce,
          idTokenExpected: true,
          ...(expected.stepUp ? { maxAge: 0 } : {}),
        });
        claims = tokens.claims();
      } catch (error) {
        throw describeFailure(error);
      }
      if (!claims) throw new SignInFailure('the identity provider sent no ID token', 'refused');
      return readClaims(claims, settings.groupsClaim);
    },

    async endSessionUrl(postLogoutRedirectUri) {
      const config = await discover();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(config, { client_id: settings.clientId, post_logout_redirect_uri: postLogoutRedirectUri }).href;
    },
  };
}

function readClaims(claims: oidc.IDToken, groupsClaim: string | undefined): IdTokenClaims {
  const groups = groupsClaim === undefined ? undefined : groupNames(claims[groupsClaim]);
  return {
    subject: claims.sub,
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    emailVerified: claims.email_verified === true,
    ...(typeof claims.auth_time === 'number' ? { authTime: claims.auth_time } : {}),
    ...(groups ? { groups } : {}),
  };
}

/** A list of names (or one name, as some providers send a single group); anything else is ignored. */
function groupNames(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!list) return undefined;
  return list.filter((name): name is string => typeof name === 'string' && name.length > 0 && name.length <= MAX_GROUP_LENGTH).slice(0, MAX_GROUPS);
}

/** What went wrong, in words fit for the person signing in; the cause stays attached for the log. */
function describeFailure(error: unknown): SignInFailure {
  if (error instanceof SignInFailure) return error;
  if (error instanceof oidc.AuthorizationResponseError) {
    return new SignInFailure(`the identity provider did not sign you in (${error.error}${error.error_description ? `: ${error.error_description}` : ''})`, 'refused', { cause: error });
  }
  if (error instanceof oidc.ResponseBodyError) {
    return new SignInFailure(`the identity provider refused to complete the sign-in (${error.error})`, 'refused', { cause: error });
  }
  if (error instanceof oidc.ClientError) {
    const code = error.code ?? '';
    // openid-client wraps oauth4webapi's error, whose message says which check failed.
    const said = `${error.message} ${error.cause instanceof Error ? error.cause.message : ''}`;
    if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' && /auth_time/.test(said)) {
      return new SignInFailure('the identity provider did not ask you to sign in again (its auth_time is older than requested)', 'refused', { cause: error });
    }
    if (/"state"/.test(said)) return new SignInFailure('the sign-in answer does not belong to the sign-in this browser started (state mismatch)', 'refused', { cause: error });
    return new SignInFailure('the identity provider\'s answer did not check out (ID token, nonce or code)', 'refused', { cause: error });
  }
  return new SignInFailure('the identity provider could not be reached', 'unavailable', { cause: error });
}
