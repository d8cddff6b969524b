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
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #0969da;outline-offset:2px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}.muted{color:#57606a}
.badge{display:inline-block;padding:0 .5rem;border:1px solid;border-radius:1rem;font-size:13px;white-space:nowrap}
.tone-ok{color:#1a7f37}.tone-bad{color:#cf222e}.tone-wait{color:#9a6700}.tone-run{color:#0969da}.tone-muted{color:#57606a}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}.grid th{width:auto}
.warn{background:#fff8c5;border-left:4px solid #9a6700;padding:.5rem 1rem}.flash{background:#dafbe1;border-left:4px solid #1a7f37;padding:.5rem 1rem}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:20rem;font-size:13px}
.pipeline,.wave ul{list-style:none;margin:0;padding:0}.pipeline{display:flex;gap:2.5rem;overflow-x:auto;padding:.5rem 0}
.wave ul{display:flex;flex-direction:column;gap:1rem}.node{position:relative;border:1px solid #8c959f;border-radius:6px;padding:.5rem .75rem;width:15rem}
.wave+.wave .node::before{content:"";position:absolute;left:-2.5rem;top:1.2rem;width:2.5rem;border-top:2px solid #8c959f}
.digest{white-space:nowrap}textarea{box-sizing:border-box}
.field label{display:block;font-weight:500}.field input[type=checkbox]+label{display:inline}.field input:not([type=checkbox]):not([type=radio]),.field select{width:100%;max-width:32rem;padding:.3rem}
.field-error{color:#cf222e}.hint{display:block;font-size:13px}.inline{display:inline;margin:0}.secret{font-family:monospace}fieldset{border:1px solid #d0d7de;border-radius:6px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:1rem}.chart{margin:0}
.uplot,.uplot *{box-sizing:border-box}.uplot{width:min-content}.u-wrap{position:relative;user-select:none}.u-over,.u-under,.u-axis,.u-select,.u-cursor-x,.u-cursor-y,.u-cursor-pt{position:absolute}
.u-under{overflow:hidden}.uplot canvas{display:block;position:relative;width:100%;height:100%}.u-select{background:rgba(0,0,0,.07);pointer-events:none}.u-cursor-x,.u-cursor-y,.u-cursor-pt{left:0;top:0;pointer-events:none}
.u-hz .u-cursor-x{height:100%;border-right:1px dashed #607d8b}.u-hz .u-cursor-y{width:100%;border-bottom:1px dashed #607d8b}.u-cursor-pt{border-radius:50%;border:0 solid;background-clip:padding-box!important}.u-off{display:none}`;

/** The CSP source that admits STYLESHEET (and nothing else inline). */
export const STYLESHEET_CSP_SOURCE = `'sha256-${createHash('sha256').update(STYLESHEET, 'utf8').digest('base64')}'`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>${STYLESHEET}</style></head>
<body><main>${body}</main></body></html>`;
}

export const detailRows = (rows: Array<[string, string | undefined]>): string =>
  `<table>${rows
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`)
    .join('')}</table>`;
