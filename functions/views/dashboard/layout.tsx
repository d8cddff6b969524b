import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { STYLESHEET } from '../html';

export type Section = 'overview' | 'approvals' | 'metrics' | 'audit' | 'admin';

export interface PageProps {
  title: string;
  /** The signed-in identity and the session's CSRF token (for the sign-out form). */
  identity: string;
  csrfToken: string;
  section?: Section;
  /** Same-origin scripts (`/assets/…`) for live updates and charts; pages work without them. */
  scripts?: string[];
  children?: Child;
}

const SECTIONS: Array<[Section, string, string]> = [
  ['overview', 'Overview', '/'],
  ['approvals', 'Approvals', '/approvals'],
  ['metrics', 'Metrics', '/metrics'],
  ['audit', 'Audit', '/audit'],
  ['admin', 'Admin', '/admin'],
];

/**
 * Every dashboard page: the same hashed stylesheet as the emailed approval
 * pages (one look), a navigation landmark, the signed-in identity with a
 * sign-out form, and the page in `<main>`.
 */
export function Layout({ title, identity, csrfToken, section, scripts = [], children }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · Gatekeeper`}</title>
        <style>{raw(STYLESHEET)}</style>
        {scripts.map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body class="dashboard">
        <header>
          <nav aria-label="Main">
            <a href="/" class="brand">
              Gatekeeper
            </a>
            {SECTIONS.map(([key, label, href]) => (
              <a href={href} aria-current={key === section ? 'page' : undefined}>
                {label}
              </a>
            ))}
          </nav>
          <form method="post" action="/auth/logout" class="signout">
            <span>{identity}</span>
            <input type="hidden" name="csrf" value={csrfToken} />
            <button type="submit">Sign out</button>
          </form>
        </header>
        <main id="main">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}
