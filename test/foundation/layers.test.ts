import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layer rules (.dependency-cruiser.cjs, `npm run lint:layers`) checked both ways: a fixture tree
// in a temp dir breaks each rule once (and does what is allowed once), and the real tree passes.
// Nothing is written inside the repo.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const BIOME = join(ROOT, 'node_modules/@biomejs/biome/bin/biome');
const DIRS = ['src', 'schema', 'edge', 'judge', 'test', 'bench'];

/** `npm run lint:layers`'s command in `cwd`: its exit code and the `rule: from -> to` lines it printed. */
function depcruise(cwd: string): Promise<{ code: number; violations: string[]; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DEPCRUISE, ...DIRS, '--config', CONFIG],
      { cwd, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        // The err reporter: `  error rule: from → to`, a cycle's chain wrapped over several lines.
        const text = stdout.replace(/\s*→\s*/g, ' -> ').replace(/[^\s]*node_modules\//g, 'node_modules/');
        const violations = [...text.matchAll(/^\s*error ([\w-]+): (.+)$/gm)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
        resolve({ code, violations, output: stdout + stderr });
      },
    );
  });
}

/** file -> source; every import is of something the fixture has (or node_modules, symlinked). */
const FIXTURE: Record<string, string> = {
  // Allowed: Node in src/node, schema/print.ts, judge/, test/ and bench/; type-only and /web libSQL imports anywhere.
  'src/node/ok.ts':
    "import { readFileSync } from 'node:fs';\nimport { WebSocketServer } from 'ws';\nexport const ok = [readFileSync, WebSocketServer];\n",
  'schema/print.ts': "import { writeFileSync } from 'node:fs';\nexport const ok = writeFileSync;\n",
  'judge/ok.ts': "import { spawn } from 'node:child_process';\nimport { Piscina } from 'piscina';\nexport const ok = [spawn, Piscina];\n",
  'test/ok.test.ts': "import { tmpdir } from 'node:os';\nimport '../judge/ok.js';\nexport const ok = tmpdir;\n",
  'bench/ok.ts': "import { cpus } from 'os';\nexport const ok = cpus;\n",
  'src/db/types.ts': "import type { Client } from '@libsql/client';\nexport type Db = Client;\n",
  // Also passes depcruise (it counts this as type-only), but under verbatimModuleSyntax it stays a
  // runtime import of the Node build: Biome's useImportType (an error here) catches it, tested below.
  'src/db/inline-type.ts': "import { type Client } from '@libsql/client';\nexport type Db2 = Client;\n",
  'edge/ok.ts':
    "import { createClient } from '@libsql/client/web';\nimport type { Db } from '../src/db/types.js';\nexport const ok: [typeof createClient, Db | null] = [createClient, null];\n",
  'src/rest/door.ts': "import { helper } from '../services/helper.js';\nexport const door = helper;\n",
  'src/services/helper.ts': 'export const helper = 1;\n',
  // The judge may use the gateway's config and CARP rules, and its AppRouter as a type.
  'src/config.ts': 'export const config = 1;\n',
  'src/carp/rule.ts': 'export const rule = 1;\n',
  'src/trpc/router.ts': 'export const appRouter = { ok: 1 };\nexport type AppRouter = typeof appRouter;\n',
  'judge/client.ts':
    "import type { AppRouter } from '../src/trpc/router.js';\nimport { config } from '../src/config.js';\nimport { rule } from '../src/carp/rule.js';\nexport const ok: [number, number, AppRouter | null] = [config, rule, null];\n",
  // One violation each.
  'src/services/node-builtin.ts': "import { readFileSync } from 'node:fs';\nexport const bad = readFileSync;\n",
  'src/rooms/bare-builtin.ts': "import { join } from 'path';\nexport const bad = join;\n",
  'schema/types/node-builtin.ts': "import { createHash } from 'crypto';\nexport const bad = createHash;\n",
  'src/rooms/ws.ts': "import { WebSocket } from 'ws';\nexport const bad = WebSocket;\n",
  'edge/node-server.ts': "import { serve } from '@hono/node-server';\nexport const bad = serve;\n",
  'src/identity/libsql.ts': "import { createClient } from '@libsql/client';\nexport const bad = createClient;\n",
  'src/bus/redis.ts': "import Redis from 'ioredis';\nexport const bad = Redis;\n",
  'src/judge-import.ts': "import { ok } from '../judge/ok.js';\nexport const bad = ok;\n",
  'judge/services-import.ts': "import { helper } from '../src/services/helper.js';\nexport const bad = helper;\n",
  'src/services/door-import.ts': "import { door } from '../rest/door.js';\nexport const bad = door;\n",
  'src/identity/schema-import.ts': "import { writeFileSync } from '../../schema/print.js';\nexport const bad = writeFileSync;\n",
  'src/wire/door-import.ts': "import { door } from '../rest/door.js';\nexport const bad = door;\n",
  'src/carp/impure.ts': "import { helper } from '../services/helper.js';\nexport const bad = helper;\n",
  'src/app.ts': 'export const app = 1;\n',
  'judge/app-import.ts': "import { app } from '../src/app.js';\nexport const bad = app;\n",
  'judge/router-runtime.ts': "import { appRouter } from '../src/trpc/router.js';\nexport const bad = appRouter;\n",
  'src/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = () => b;\n",
  'src/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = () => a;\n",
};

type Run = ReturnType<typeof depcruise>;
let fixture: string;
let fixtureRun: Run;
let treeRun: Run;

beforeAll(() => {
  fixture = mkdtempSync(join(tmpdir(), 'arena-layers-'));
  for (const [file, text] of Object.entries(FIXTURE)) {
    mkdirSync(dirname(join(fixture, file)), { recursive: true });
    writeFileSync(join(fixture, file), text);
  }
  for (const config of ['tsconfig.json', 'biome.json']) cpSync(join(ROOT, config), join(fixture, config));
  symlinkSync(join(ROOT, 'node_modules'), join(fixture, 'node_modules'), 'dir');
  // Both cruises at once: the real tree's is most of this file's time.
  fixtureRun = depcruise(fixture);
  treeRun = depcruise(ROOT);
});
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

describe('layer rules (dependency-cruiser)', () => {
  it('each rule bites on the fixture, and what is allowed passes', async () => {
    const { code, violations, output } = await fixtureRun;
    const expected = [
      'core-not-to-doors: src/identity/schema-import.ts -> schema/print.ts',
      'core-not-to-doors: src/services/door-import.ts -> src/rest/door.ts',
      'core-not-to-doors: src/wire/door-import.ts -> src/rest/door.ts',
      'carp-is-pure: src/carp/impure.ts -> src/services/helper.ts',
      'judge-not-to-services: judge/services-import.ts -> src/services/helper.ts',
      'judge-through-its-client: judge/services-import.ts -> src/services/helper.ts',
      'judge-through-its-client: judge/app-import.ts -> src/app.ts',
      'judge-router-type-only: judge/router-runtime.ts -> src/trpc/router.ts',
      'neutral-no-node-builtins: schema/types/node-builtin.ts -> crypto',
      'neutral-no-node-builtins: src/rooms/bare-builtin.ts -> path',
      'neutral-no-node-builtins: src/services/node-builtin.ts -> fs',
      'neutral-no-node-packages: edge/node-server.ts -> node_modules/@hono/node-server/dist/index.mjs',
      'neutral-no-node-packages: src/bus/redis.ts -> node_modules/ioredis/built/index.js',
      'neutral-no-node-packages: src/identity/libsql.ts -> node_modules/@libsql/client/lib-esm/node.js',
      'neutral-no-node-packages: src/rooms/ws.ts -> node_modules/ws/wrapper.mjs',
      'no-circular: src/cycle-a.ts -> src/cycle-b.ts -> src/cycle-a.ts',
      'src-not-to-judge: src/judge-import.ts -> judge/ok.ts',
    ];
    expect(violations.sort(), output).toEqual(expected.sort());
    expect(output).toContain(`${expected.length} dependency violations (${expected.length} errors, 0 warnings)`);
    expect(code).not.toBe(0);
  });

  it('the real tree passes', async () => {
    const { code, violations, output } = await treeRun;
    expect(violations, output).toEqual([]);
    expect(output).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  });

  it("an inline `import { type X }` of a Node-only package is Biome's error (useImportType)", async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIOME, 'lint', '--vcs-enabled=false', '--colors=off', 'src/db'],
        { cwd: fixture, timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
      );
    });
    expect([...output.matchAll(/^(\S+):\d+:\d+ (lint\/\S+)/gm)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
      'src/db/inline-type.ts lint/style/useImportType',
    ]);
    expect(code).not.toBe(0);
  });
});
