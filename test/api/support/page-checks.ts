import { expect } from 'vitest';

/**
 * The accessibility and CSP basics every dashboard page keeps: one main
 * landmark, every visible control labelled, tables with headers, no inline
 * script, handler or style attribute (the CSP admits same-origin scripts only).
 */
export function expectAccessiblePage(html: string, what: string) {
  expect(html, what).toMatch(/^<!doctype html>/i);
  expect(html.match(/<main[\s>]/g) ?? [], `${what}: one <main>`).toHaveLength(1);
  const labels = new Set([...html.matchAll(/<label[^>]*\sfor="([^"]+)"/g)].map((m) => m[1]));
  for (const [control] of html.matchAll(/<(input|textarea|select)\b[^>]*>/g)) {
    if (/type="hidden"/.test(control)) continue;
    const id = /\sid="([^"]+)"/.exec(control)?.[1];
    expect(/aria-label="[^"]+"/.test(control) || (id !== undefined && labels.has(id)), `${what}: ${control} has a label`).toBe(true);
  }
  for (const table of html.match(/<table[\s\S]*?<\/table>/g) ?? []) expect(table, `${what}: tables have headers`).toContain('<th');
  expect(html, what).not.toMatch(/<script(?![^>]*\ssrc="\/assets\/)|\son[a-z]+=|\sstyle=/i);
}

/** The POST forms on a page, by action. */
export const postForms = (html: string): string[] => [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1] ?? '').filter((action) => action !== '/auth/logout');
