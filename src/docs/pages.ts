import { ASSET_PATH, type AssetName } from './assets.js';
import type { OwnScriptName } from './scripts.js';

const assetUrl = (name: AssetName | OwnScriptName) => ASSET_PATH + name;

/**
 * A doc page's Content-Security-Policy: nothing but this origin's files, as strict as each page
 * works with (checked in a real browser by test/browser/). Scripts are files only: no inline
 * script, no eval.
 */
const csp = (...directives: string[]) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "connect-src 'self'",
    ...directives,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/** Headers of a doc page, never of an API answer. */
const pageHeaders = (policy: string) => ({ 'content-security-policy': policy, 'x-content-type-options': 'nosniff' });

/** Swagger UI: its stylesheet's icons are data: URLs, and "Try it out" shows an image answer from a blob: URL. */
export const DOCS_PAGE_HEADERS = pageHeaders(csp("style-src 'self'", 'img-src data: blob:'));

/**
 * GraphiQL: Monaco sets style attributes and inserts its icon font's <style> element (so inline
 * styles, never inline scripts), its fonts and icons are data: URLs, and its language services run
 * in workers from this origin.
 */
export const GRAPHIQL_PAGE_HEADERS = pageHeaders(csp("style-src 'self' 'unsafe-inline'", 'img-src data:', 'font-src data:', "worker-src 'self'"));

/** GET /docs: Swagger UI on /openapi.json. */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Arena gateway API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetUrl('swagger-ui.css')}">
</head>
<body>
<div id="swagger-ui" data-url="/openapi.json"></div>
<script src="${assetUrl('swagger-ui-bundle.js')}"></script>
<script src="${assetUrl('swagger-init.js')}"></script>
</body>
</html>
`;

/**
 * GraphiQL (GET /graphql from a browser), yoga's page with this origin's files. Its options ride in
 * a JSON block the browser never runs; `<` escaped so no value can close the block.
 */
export const graphiqlPage = (options: object): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Arena gateway GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetUrl('graphiql.css')}">
<script type="application/json" id="graphiql-options">${JSON.stringify(options).replaceAll('<', '\\u003c')}</script>
<script src="${assetUrl('graphiql-init.js')}"></script>
<script src="${assetUrl('yoga-graphiql.umd.js')}"></script>
</head>
<body class="no-focus-outline">
<div id="root"></div>
</body>
</html>
`;
