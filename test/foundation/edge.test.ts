import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// Which files may import Node is a layer rule (.dependency-cruiser.cjs, `npm run lint:layers`,
// tested in layers.test.ts); this proves the result: the Worker entry bundles without Node.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('edge safety', () => {
  it('the Worker entry bundles for the Workers runtime with no Node modules in it', async () => {
    const result = await build({
      entryPoints: [join(ROOT, 'edge/worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      conditions: ['workerd', 'worker', 'browser'],
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]!.text.length).toBeGreaterThan(10_000);
    // A Node builtin would fail the browser-platform build or be left as an external import.
    const [output] = Object.values(result.metafile.outputs);
    expect(output!.imports).toEqual([]);
    expect(Object.keys(result.metafile.inputs).filter((p) => /node_modules\/(ioredis|piscina|ws|libsql)\//.test(p))).toEqual([]);
  });
});
