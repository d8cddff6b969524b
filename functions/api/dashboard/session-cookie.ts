import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import * as z from 'zod/mini';
import { isLoopbackUrl } from '../../config';
import type { DashboardSession } from './env';

/**
 * The dashboard's two cookies, both signed (HMAC-SHA256, hono/cookie) with
 * the session secret and holding base64url JSON:
 * - the session: identity, authTime, csrfToken, expiresAt (absolute, 8 h) and
 *   the provider's groups when a groups claim is configured;
 * - the sign-in in flight (10 min): state, nonce, PKCE verifier, returnTo.
 * Each value names its kind, so one cannot be passed off as the other.
 *
 * `HttpOnly`, `SameSite=Lax` (the provider's redirect back is a top-level GET),
 * `Path=/`, and `Secure` with the `__Host-` prefix unless PUBLIC_BASE_URL is
 * plain http on a loopback host: decided from configuration, not by a mode.
 */
export const SESSION_COOKIE = 'gatekeeper-session';
export const SIGN_IN_COOKIE = 'gatekeeper-sign-in';

/** Absolute session lifetime: a new sign-in is needed after it, however active the person was. */
export const SESSION_SECONDS = 8 * 3600;
/** How long a started sign-in may take at the provider. */
export const SIGN_IN_SECONDS = 10 * 60;

/** A signed-in person's session as stored in the cookie (what `requireSession` sets is this). */
export interface StoredSession extends DashboardSession {
  /** Epoch seconds after which the session is refused. */
  expiresAt: number;
  /** The provider's groups (OIDC_GROUPS_CLAIM), kept for a later mapping onto Gatekeeper groups. */
  groups?: string[];
}

/** The sign-in in flight, from GET /auth/login to GET /auth/callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  stepUp: boolean;
  /** Epoch seconds. */
  startedAt: number;
}

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const epochSeconds = z.number().check(z.int(), z.nonnegative());

const sessionSchema = z.object({
  kind: z.literal('session'),
  identity: text(320),
  authTime: epochSeconds,
  csrfToken: text(128),
  expiresAt: epochSeconds,
  groups: z.optional(z.array(text(128)).check(z.maxLength(50))),
});

const signInSchema = z.object({
  kind: z.literal('sign-in'),
  state: text(256),
  nonce: text(256),
  codeVerifier: text(256),
  returnTo: text(2048),
  stepUp: z.boolean(),
  startedAt: epochSeconds,
});

export interface CookieSettings {
  publicBaseUrl: string;
  sessionSecret: () => Promise<string>;
}

/** `Secure` (and the `__Host-` prefix) everywhere but plain http on loopback. */
const isSecure = (publicBaseUrl: string) => !(publicBaseUrl.startsWith('http://') && isLoopbackUrl(publicBaseUrl));

function options(settings: CookieSettings, maxAge: number): CookieOptions {
  const base: CookieOptions = { httpOnly: true, sameSite: 'Lax', path: '/', maxAge };
  return isSecure(settings.publicBaseUrl) ? { ...base, secure: true, prefix: 'host' } : base;
}

const prefixOf = (settings: CookieSettings) => (isSecure(settings.publicBaseUrl) ? ('host' as const) : undefined);

const encode = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode<T>(schema: z.ZodMiniType<T>, value: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** `undefined`: no cookie; `false`: present but unsigned, tampered or malformed. */
async function read<T>(c: Context, settings: CookieSettings, name: string, schema: z.ZodMiniType<T>): Promise<T | false | undefined> {
  const value = await getSignedCookie(c, await settings.sessionSecret(), name, prefixOf(settings));
  if (value === undefined) return c.req.header('cookie')?.includes(name) ? false : undefined;
  if (value === false) return false;
  return decode(schema, value) ?? false;
}

export async function readSessionCookie(c: Context, settings: CookieSettings): Promise<StoredSession | false | undefined> {
  const stored = await read(c, settings, SESSION_COOKIE, sessionSchema);
  if (!stored) return stored;
  const { kind: _kind, ...session } = stored;
  return session;
}

export async function writeSessionCookie(c: Context, settings: CookieSettings, session: StoredSession, now: Date): Promise<void> {
  const maxAge = Math.max(0, session.expiresAt - Math.floor(now.getTime() / 1000));
  await setSignedCookie(c, SESSION_COOKIE, encode({ kind: 'session', ...session }), await settings.sessionSecret(), options(settings, maxAge));
}

export function clearSessionCookie(c: Context, settings: CookieSettings): void {
  deleteCookie(c, SESSION_COOKIE, options(settings, 0));
}

export async function readSignInCookie(c: Context, settings: CookieSettings): Promise<PendingSignIn | false | undefined> {
  const stored = await read(c, settings, SIGN_IN_COOKIE, signInSchema);
  if (!stored) return stored;
  const { kind: _kind, ...pending } = stored;
  return pending;
}

export async function writeSignInCookie(c: Context, settings: CookieSettings, pending: PendingSignIn): Promise<void> {
  await setSignedCookie(c, SIGN_IN_COOKIE, encode({ kind: 'sign-in', ...pending }), await settings.sessionSecret(), options(settings, SIGN_IN_SECONDS));
}

export function clearSignInCookie(c: Context, settings: CookieSettings): void {
  deleteCookie(c, SIGN_IN_COOKIE, options(settings, 0));
}
