import { Hono } from 'hono';
import { ASSET_PATH, type AssetName, type DocAssets, JS, PACKAGE_ASSETS } from './assets.js';
import { OWN_SCRIPTS, type OwnScriptName } from './scripts.js';

const CACHE = 'public, max-age=86400';

/** True when an Accept-Encoding header takes gzip (by name or `*`, with a q above 0). */
function acceptsGzip(header: string | undefined): boolean {
  const q = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [coding = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const weight = params.find((p) => p.startsWith('q='));
    q.set(coding, weight === undefined ? 1 : Number(weight.slice(2)));
  }
  return (q.get('gzip') ?? q.get('*') ?? 0) > 0;
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Response(bytes).body!.pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const isOwnScript = (name: string): name is OwnScriptName => Object.hasOwn(OWN_SCRIPTS, name);
const isPackageAsset = (name: string): name is AssetName => Object.hasOwn(PACKAGE_ASSETS, name);

/**
 * GET /docs/assets/:name: the doc pages' files, looked up by name in fixed tables (unknown: 404),
 * cached by browsers for a day, gzipped (once, then kept) for clients that take it: the GraphiQL
 * bundle alone is 5 MB. Without `assets` (the edge Worker, for now) the packages' files answer 404.
 */
export function docAssetsRouter(assets: DocAssets | undefined) {
  const app = new Hono();
  const encoder = new TextEncoder();
  const gzipped = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

  async function find(name: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; type: string } | null> {
    if (isOwnScript(name)) return { bytes: encoder.encode(OWN_SCRIPTS[name]), type: JS };
    if (!isPackageAsset(name) || !assets) return null;
    const bytes = await assets.get(name);
    return bytes && { bytes, type: PACKAGE_ASSETS[name].type };
  }

  app.get(`${ASSET_PATH}:name`, async (c) => {
    const name = c.req.param('name');
    const found = await find(name);
    if (!found) return c.notFound();
    const headers: Record<string, string> = {
      'content-type': found.type,
      'cache-control': CACHE,
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
    };
    if (!acceptsGzip(c.req.header('accept-encoding'))) return c.body(found.bytes, 200, headers);
    let packed = gzipped.get(name);
    if (!packed) {
      packed = gzip(found.bytes).catch((err: unknown) => {
        gzipped.delete(name);
        throw err;
      });
      gzipped.set(name, packed);
    }
    return c.body(await packed, 200, { ...headers, 'content-encoding': 'gzip' });
  });
  return app;
}
