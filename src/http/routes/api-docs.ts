import { Hono } from 'hono';
import type { AppEnv } from '../env';

// GET /api-docs: the API reference, rendered in the browser from /openapi.json by the small script below, which this
// service serves itself (/api-docs/reference.js and .css). Nothing comes from another host, so the page works without
// internet and asks no third party at run time; its CSP allows only this origin. It replaces @scalar's reference,
// whose UI loads from a public CDN: its standalone bundle (@scalar/api-reference, several MB) is not a dependency,
// and the same small page runs on Node and Workers alike (README "API reference").

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>authgate API</title>
<link rel="stylesheet" href="/api-docs/reference.css">
<script src="/api-docs/reference.js" defer></script>
</head>
<body>
<header><h1>authgate API</h1><p>Generated from <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></header>
<main id="reference"><p>Loading /openapi.json…</p></main>
</body>
</html>`;

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#1b1b1b}
h2{margin-top:2rem;border-bottom:1px solid #ddd}details{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}
summary{cursor:pointer}.method{display:inline-block;min-width:4.5rem;font-weight:600;text-transform:uppercase}
code{background:#f4f4f4;padding:0 .2rem}pre{background:#f4f4f4;padding:.6rem;overflow:auto;font-size:13px}`;

// Plain browser JavaScript, built with DOM calls and textContent only (the document's strings are never parsed as HTML).
const SCRIPT = `'use strict';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}
function resolve(doc, schema) {
  const ref = schema && schema.$ref;
  return ref ? doc.components.schemas[ref.split('/').pop()] : schema;
}
function operation(doc, path, method, op) {
  const details = el('details');
  const summary = el('summary');
  summary.append(el('span', method, 'method'), el('code', path), document.createTextNode(' ' + (op.summary || '')));
  details.append(summary);
  if (op.description) details.append(el('p', op.description));
  if (op.security && op.security.length > 0) details.append(el('p', 'Requires a bearer access token.'));
  for (const parameter of op.parameters || []) details.append(el('p', parameter.in + ' ' + parameter.name + (parameter.required ? ' (required)' : '')));
  const body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
  if (body) {
    details.append(el('h4', 'Request body'));
    details.append(el('pre', JSON.stringify(resolve(doc, body.schema), null, 2)));
  }
  details.append(el('h4', 'Responses'));
  const list = el('ul');
  for (const [status, response] of Object.entries(op.responses || {})) list.append(el('li', status + ' ' + (response.description || '')));
  details.append(list);
  return details;
}
async function render() {
  const main = document.getElementById('reference');
  const response = await fetch('/openapi.json');
  if (!response.ok) throw new Error('/openapi.json answered ' + response.status);
  const doc = await response.json();
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(operation(doc, path, method, op));
    }
  }
  main.replaceChildren();
  if (doc.info.description) main.append(el('p', doc.info.description));
  for (const [tag, operations] of byTag) main.append(el('h2', tag), ...operations);
}
render().catch((error) => {
  document.getElementById('reference').replaceChildren(el('p', 'Could not load the API description: ' + error.message));
});
`;

export const apiDocsRoutes = new Hono<AppEnv>()
  .get('/', (c) => {
    c.header('Content-Security-Policy', CSP);
    c.header('Cache-Control', 'no-cache');
    return c.html(PAGE);
  })
  .get('/reference.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(SCRIPT);
  })
  .get('/reference.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(STYLE);
  });
