import { type AssetName, cachedAssets, type DocAssets, PACKAGE_ASSETS } from '../docs/assets.js';
import { Deno } from './runtime.js';

/** Each package's package.json, resolved as Deno resolves it from node_modules; literal, as on Node. */
const PACKAGE_JSON: Record<(typeof PACKAGE_ASSETS)[AssetName]['pkg'], () => string> = {
  'swagger-ui-dist': () => import.meta.resolve('swagger-ui-dist/package.json'),
  '@graphql-yoga/graphiql': () => import.meta.resolve('@graphql-yoga/graphiql/package.json'),
};

/** The doc pages' files from the installed packages (src/docs/assets.ts keeps them). */
export function denoDocAssets(): DocAssets {
  return cachedAssets(async (name) => {
    const { pkg, file } = PACKAGE_ASSETS[name];
    try {
      return await Deno.readFile(new URL(file, PACKAGE_JSON[pkg]()));
    } catch (err) {
      // Not installed (resolve throws), or the package no longer ships the file: absent (404), not a fault.
      if (err instanceof Deno.errors.NotFound || err instanceof TypeError) return null;
      throw err;
    }
  });
}
