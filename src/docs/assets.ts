export const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SWAGGER = 'swagger-ui-dist';
const GRAPHIQL = '@graphql-yoga/graphiql';

/**
 * The doc pages' files that installed packages ship, by the name a page asks for. A fixed table:
 * the asset route only ever looks a name up here, so nothing a client sends becomes a path.
 */
export const PACKAGE_ASSETS = {
  'swagger-ui.css': { pkg: SWAGGER, file: 'swagger-ui.css', type: CSS },
  'swagger-ui-bundle.js': { pkg: SWAGGER, file: 'swagger-ui-bundle.js', type: JS },
  'graphiql.css': { pkg: GRAPHIQL, file: 'dist/graphiql.css', type: CSS },
  'yoga-graphiql.umd.js': { pkg: GRAPHIQL, file: 'dist/yoga-graphiql.umd.js', type: JS },
  'editor.worker.js': { pkg: GRAPHIQL, file: 'dist/monacoeditorwork/editor.worker.bundle.js', type: JS },
  'json.worker.js': { pkg: GRAPHIQL, file: 'dist/monacoeditorwork/json.worker.bundle.js', type: JS },
  // The double dot is the package's own file name.
  'graphql.worker.js': { pkg: GRAPHIQL, file: 'dist/monacoeditorwork/graphql.worker..bundle.js', type: JS },
} as const satisfies Record<string, { pkg: string; file: string; type: string }>;

export type AssetName = keyof typeof PACKAGE_ASSETS;

/**
 * Where the host keeps those files (Node: the installed packages, src/node/doc-assets.ts); null
 * when it has none. The edge Worker has no such port yet (a later issue), so there they answer 404.
 */
export interface DocAssets {
  get(name: AssetName): Promise<Uint8Array<ArrayBuffer> | null>;
}

/** Where the pages find their files, packaged and our own. */
export const ASSET_PATH = '/docs/assets/';

type Bytes = Uint8Array<ArrayBuffer>;

/**
 * A host's reader of the packaged files (null: absent, a 404), each read on first use and then
 * kept in memory; a read that failed otherwise is tried again next time.
 */
export function cachedAssets(read: (name: AssetName) => Promise<Bytes | null>): DocAssets {
  const cache = new Map<AssetName, Promise<Bytes | null>>();
  return {
    get(name) {
      let bytes = cache.get(name);
      if (!bytes) {
        bytes = read(name);
        bytes.catch(() => cache.delete(name));
        cache.set(name, bytes);
      }
      return bytes;
    },
  };
}
