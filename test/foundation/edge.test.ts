import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

// Node-only modules: builtins and packages that need Node (native libSQL, sockets, threads).
const NODE_ONLY = /^(node:|fs$|fs\/|path$|os$|child_process$|worker_threads$|crypto$|http$|net$|stream$|ioredis$|piscina$|ws$|@hono\/node-server|@libsql\/client$)/;
const IMPORT = /^\s*(import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** The runtime-neutral tree: everything the edge bundle may contain. */
const neutralFiles = () =>
  [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'schema')), ...tsFiles(join(ROOT, 'edge'))].filter((f) => {
    const rel = relative(ROOT, f);
    return !rel.startsWith('src/node/') && rel !== 'schema/print.ts';
  });

describe('edge safety', () => {
  it('no runtime-neutral file imports a Node builtin or Node-only package', () => {
    const offenders: string[] = [];
    for (const file of neutralFiles()) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[2] ?? m[3] ?? m[4]!;
        if (NODE_ONLY.test(spec)) offenders.push(`${relative(ROOT, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the scanner itself catches a Node import', () => {
    const sample = "import { readFile } from 'node:fs/promises';\nimport type { Client } from '@libsql/client';\n";
    const found = [...sample.matchAll(IMPORT)].map((m) => m[2] ?? m[3] ?? m[4]).filter((s) => NODE_ONLY.test(s!));
    expect(found).toEqual(['node:fs/promises']);
  });

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
