import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type AssetName, cachedAssets, type DocAssets, PACKAGE_ASSETS } from '../docs/assets.js';

const require = createRequire(import.meta.url);

/** Each package's directory, found by its package.json (which both export); literal, so knip sees the dependency. */
const PACKAGE_JSON: Record<(typeof PACKAGE_ASSETS)[AssetName]['pkg'], () => string> = {
  'swagger-ui-dist': () => require.resolve('swagger-ui-dist/package.json'),
  '@graphql-yoga/graphiql': () => require.resolve('@graphql-yoga/graphiql/package.json'),
};

/** Not installed, or the package no longer ships the file: the asset is absent (404), not a fault. */
const ABSENT = new Set(['ENOENT', 'MODULE_NOT_FOUND']);

/** The doc pages' files from the installed packages (src/docs/assets.ts keeps them). */
export function nodeDocAssets(): DocAssets {
  return cachedAssets(async (name) => {
    const { pkg, file } = PACKAGE_ASSETS[name];
    try {
      return await readFile(join(dirname(PACKAGE_JSON[pkg]()), file));
    } catch (err) {
      if (ABSENT.has((err as NodeJS.ErrnoException).code ?? '')) return null;
      throw err;
    }
  });
}
