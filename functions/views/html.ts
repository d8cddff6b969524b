import { createHash } from 'node:crypto';
import { visible } from '../domain/text';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML bodies and attribute values. Every interpolated value
 * goes through it; control and bidi characters (which could reorder what an
 * approver reads) are shown as `<U+202E>` markers instead of acting.
 */
export const escapeHtml = (value: unknown): string => visible(String(value ?? '')).replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);

/**
 * The pages' only styling. It stays inline (one response, no static-file
 * route, and the same markup works in email) and is allowed by the
 * Content-Security-Policy through its SHA-256 rather than `'unsafe-inline'`:
 * a hash admits exactly this sheet, so markup that slipped past escaping
 * could still not style (or, with `default-src 'none'`, script) anything.
 * Pages use classes, never `style=` attributes, which a hash cannot admit.
 */
export const STYLESHEET = `body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{width:11rem;color:#57606a;font-weight:500}code{font-size:13px;word-break:break-all}textarea{width:100%;min-height:4rem}
button{font-size:15px;padding:.5rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #8c959f;cursor:pointer}
.approve{background:#1f883d;color:#fff;border-color:#1f883d}.reject{background:#cf222e;color:#fff;border-color:#cf222e}
.note{background:#f6f8fa;border-left:4px solid #8c959f;padding:.5rem 1rem}
.diff{background:#f6f8fa;padding:.75rem;overflow:auto}.diff-add{color:#1a7f37}.diff-del{color:#cf222e}.diff-ctx{color:#57606a}
body.dashboard{max-width:72rem}header{display:flex;justify-content:space-between;align-items:center;gap:1rem;border-bottom:1px solid #e3e6ea;padding-bottom:.5rem;flex-wrap:wrap}
nav a{margin-right:1rem;color:#0969da;text-decoration:none}nav a[aria-current=page]{font-weight:600;color:#1b1f24;text-decoration:underline}.brand{font-weight:700;color:#1b1f24}
.signout{display:flex;align-items:center;gap:.5rem;margin:0}.signout button{padding:.25rem .75rem;font-size:14px}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #0969da;outline-offset:2px}`;

/** The CSP source that admits STYLESHEET (and nothing else inline). */
export const STYLESHEET_CSP_SOURCE = `'sha256-${createHash('sha256').update(STYLESHEET, 'utf8').digest('base64')}'`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>${STYLESHEET}</style></head>
<body>${body}</body></html>`;
}

export const detailRows = (rows: Array<[string, string | undefined]>): string =>
  `<table>${rows
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`)
    .join('')}</table>`;
