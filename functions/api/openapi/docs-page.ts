import { escapeHtml, page } from '../../views/html';
import { PROBLEM_BASE } from '../problem';
import type { JsonSchema } from './routes';

/*
 * The reference page at /docs, rendered on the server from the OpenAPI
 * document: no script, no inline style, only the pages' hashed stylesheet, so
 * it lives under the app's CSP unchanged and adds nothing to the API bundle
 * but this file. (The browser renderers want inline styles, data: images and
 * a megabyte-sized bundle inside the Lambda; see README "OpenAPI".)
 */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Escaped text with the document's little Markdown: `code` and [links](https://…). */
export function prose(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\((https:\/\/[^)\s]+)\)/g, '<a href="$2">$1</a>')
    .replace(/\n\n/g, '</p><p>');
}

/** A schema's type in words. */
function typeOf(schema: Json): string {
  if ('const' in schema) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(', ')}`;
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map((s) => (isObject(s) ? typeOf(s) : '')).join(' or ');
  if (schema.type === 'array') return `array of ${isObject(schema.items) ? typeOf(schema.items) : 'anything'}`;
  if (typeof schema.type === 'string') return escapeHtml(schema.format ? `${schema.type} (${str(schema.format)})` : schema.type);
  return 'any JSON value';
}

function rulesOf(schema: Json): string {
  const rules: string[] = [];
  const unit = schema.type === 'array' ? 'items' : 'characters';
  const add = (key: string, words: string, suffix = '') => {
    if (schema[key] !== undefined) rules.push(`${words} ${escapeHtml(JSON.stringify(schema[key]))}${suffix}`);
  };
  add('minLength', 'at least', ` ${unit}`);
  add('maxLength', 'at most', ` ${unit}`);
  add('minimum', '≥');
  add('maximum', '≤');
  add('minItems', 'at least', ` ${unit}`);
  add('maxItems', 'at most', ` ${unit}`);
  if (typeof schema.pattern === 'string' && schema.format === undefined) rules.push(`matches <code>${escapeHtml(schema.pattern)}</code>`);
  add('default', 'default');
  if (schema.additionalProperties === false) rules.push('no other fields');
  if (typeof schema.description === 'string') rules.push(prose(schema.description));
  for (const alternative of list(schema.anyOf)) if (isObject(alternative) && typeof alternative.pattern === 'string') rules.push(`or matches <code>${escapeHtml(alternative.pattern)}</code>`);
  return rules.join('; ');
}

/** One row per field, nested fields as `parent.child` and `list[].child`. */
function fieldRows(schema: Json, prefix = ''): string[] {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(list(schema.required).map(String));
  return Object.entries(properties).flatMap(([name, field]) => {
    if (!isObject(field)) return [];
    const path = prefix + name;
    const row = `<tr><td><code>${escapeHtml(path)}</code></td><td>${typeOf(field)}</td><td>${required.has(name) ? 'required' : 'optional'}</td><td>${rulesOf(field)}</td></tr>`;
    const nested = isObject(field.properties) ? fieldRows(field, `${path}.`) : isObject(field.items) && isObject(field.items.properties) ? fieldRows(field.items, `${path}[].`) : [];
    return [row, ...nested];
  });
}

const table = (head: string[], rows: string[]) => (rows.length === 0 ? '' : `<table class="grid"><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table>`);

function parametersOf(operation: Json): string {
  const rows = list(operation.parameters)
    .filter(isObject)
    .map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${isObject(p.schema) ? typeOf(p.schema) : ''}${p.required ? ', required' : ''}</td><td>${prose(str(p.description))}${isObject(p.schema) && typeof p.schema.pattern === 'string' ? ` <code>${escapeHtml(p.schema.pattern)}</code>` : ''}</td></tr>`);
  return rows.length === 0 ? '' : `<h4>Parameters</h4>${table(['name', 'in', 'type', 'what'], rows)}`;
}

function bodyOf(operation: Json): string {
  const body = operation.requestBody;
  if (!isObject(body) || !isObject(body.content)) return '';
  return Object.entries(body.content)
    .map(([type, media]) => {
      const schema = isObject(media) && isObject(media.schema) ? media.schema : {};
      const rows = fieldRows(schema);
      return `<h4>Body <code>${escapeHtml(type)}</code></h4>${body.description ? `<p>${prose(str(body.description))}</p>` : ''}${schema.additionalProperties === false ? '<p>Unknown fields are refused.</p>' : ''}${table(['field', 'type', 'presence', 'rules'], rows)}${
        rows.length > 0 ? `<details><summary>JSON Schema</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>` : ''
      }`;
    })
    .join('');
}

function responsesOf(operation: Json): string {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const rows = Object.entries(responses)
    .filter((entry): entry is [string, Json] => isObject(entry[1]))
    .map(([status, response]) => {
      const types = isObject(response.content) ? Object.keys(response.content).map((t) => `<code>${escapeHtml(t)}</code>`).join(', ') : '';
      const headers = isObject(response.headers) ? Object.keys(response.headers).map((h) => `<code>${escapeHtml(h)}</code>`).join(', ') : '';
      return `<tr><td>${escapeHtml(status)}</td><td>${types}</td><td>${prose(str(response.description))}${headers ? ` Headers: ${headers}.` : ''}</td></tr>`;
    });
  return `<h4>Responses</h4>${table(['status', 'type', 'what'], rows)}`;
}

const METHODS = ['get', 'put', 'post', 'delete'];

function operationCard(path: string, method: string, operation: Json): string {
  const id = escapeHtml(str(operation.operationId));
  const secured = list(operation.security).length > 0 ? 'Bearer token' : 'No token';
  return `<section class="card" id="${id}"><h3><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code></h3>
<p><strong>${escapeHtml(operation.summary)}</strong> <span class="badge tone-muted">${secured}</span></p>${operation.description ? `<p>${prose(str(operation.description))}</p>` : ''}
${parametersOf(operation)}${bodyOf(operation)}${responsesOf(operation)}</section>`;
}

/** The whole reference page for `document`. */
export function docsPage(document: JsonSchema): string {
  const info = isObject(document.info) ? document.info : {};
  const paths = isObject(document.paths) ? document.paths : {};
  const operations = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (isObject(item) && isObject(item[method]) ? [{ path, method, operation: item[method] }] : [])),
  );
  const tags = list(document.tags).filter(isObject).map((t) => str(t.name));
  const sections = tags.map((tag) => {
    const mine = operations.filter((o) => list(o.operation.tags).includes(tag));
    return `<h2 id="tag-${escapeHtml(tag.toLowerCase().replace(/[^a-z0-9]+/g, '-'))}">${escapeHtml(tag)}</h2>${mine.map((o) => operationCard(o.path, o.method, o.operation)).join('\n')}`;
  });
  const contents = tags
    .map((tag) => {
      const mine = operations.filter((o) => list(o.operation.tags).includes(tag));
      return `<li>${escapeHtml(tag)}: ${mine.map((o) => `<a href="#${escapeHtml(str(o.operation.operationId))}"><code>${escapeHtml(o.method.toUpperCase())} ${escapeHtml(o.path)}</code></a>`).join(', ')}</li>`;
    })
    .join('');
  const problems = list(document['x-problem-types'])
    .filter(isObject)
    .map((p) => `<tr><td><code>${escapeHtml(p.type)}</code></td><td>${escapeHtml(p.status)}</td><td>${escapeHtml(p.title)}</td></tr>`);
  const body = `<h1>${escapeHtml(info.title)} <span class="muted">${escapeHtml(info.version)}</span></h1>
<p class="note">Generated from the schemas that validate the requests. Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI ${escapeHtml(document.openapi)}).</p>
<p>${prose(str(info.description))}</p>
<nav aria-label="Operations"><ul>${contents}<li><a href="#problem-types">Problem types</a></li></ul></nav>
${sections.join('\n')}
<h2 id="problem-types">Problem types</h2><p>A problem's <code>type</code> is <code>${escapeHtml(PROBLEM_BASE)}&lt;type&gt;</code>.</p>${table(['type', 'status', 'title'], problems)}`;
  return page(`${str(info.title)} reference`, body);
}
