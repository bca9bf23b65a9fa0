import { ASSET_PATH, type AssetName } from './assets.js';

/** Monaco's workers by the label it asks for, at this origin (yoga's own page fetched them into blob: URLs, being cross-origin). */
const WORKERS: Record<string, AssetName> = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
const workerUrls = JSON.stringify(Object.fromEntries(Object.entries(WORKERS).map(([label, name]) => [label, ASSET_PATH + name])));

/**
 * Our own page scripts, as files beside the packages' (no inline script, so the pages' CSP needs
 * no 'unsafe-inline' for scripts). Plain ES2020 for any browser; they read their options from the page.
 */
export const OWN_SCRIPTS = {
  'swagger-init.js': `SwaggerUIBundle({ url: document.getElementById('swagger-ui').dataset.url, dom_id: '#swagger-ui' });\n`,
  // Before GraphiQL's bundle, which reads MonacoEnvironment as it loads; rendered once the page is parsed.
  'graphiql-init.js': `(() => {
  const workers = ${workerUrls};
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_id, label) => workers[label] };
  addEventListener('DOMContentLoaded', () => {
    const options = JSON.parse(document.getElementById('graphiql-options').textContent);
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
  });
})();
`,
} as const;

export type OwnScriptName = keyof typeof OWN_SCRIPTS;
